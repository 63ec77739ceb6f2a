package costline.collectors.kubernetes;

import java.util.Map;

/**
 * What the API server says of a pod on this node.
 *
 * @param ownerKind kind of the pod's controller after following a ReplicaSet to its Deployment (Deployment,
 *                  StatefulSet, DaemonSet, Job, ...); null for a bare pod
 * @param ownerName name of that controller; null for a bare pod
 */
public record PodInfo(String uid, PodRef ref, Map<String, String> labels, Map<String, String> annotations,
                      String ownerKind, String ownerName) {

    public PodInfo {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
}
