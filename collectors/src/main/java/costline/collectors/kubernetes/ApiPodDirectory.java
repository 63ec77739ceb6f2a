package costline.collectors.kubernetes;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's pods from the API server: one list, then a watch (a fabric8 informer) of the pods whose
 * {@code spec.nodeName} is this node, so the collector reads only what its node runs and needs only get, list and
 * watch on pods. The informer re-lists and re-watches by itself, with backoff, after the API server goes away.
 *
 * <p>Where the API refuses (HTTP 401 or 403: no RBAC binding) the collector goes on without labels, saying so once:
 * {@link #start} returns {@link PodDirectory#NONE}.
 */
public final class ApiPodDirectory implements PodDirectory {

    private static final Logger log = LoggerFactory.getLogger(ApiPodDirectory.class);

    private final Map<String, PodInfo> byUid = new ConcurrentHashMap<>();
    private final Map<PodRef, PodInfo> byRef = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private final AtomicLong changes = new AtomicLong();
    private final KubernetesClient client;
    private SharedIndexInformer<Pod> informer;

    private ApiPodDirectory(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Lists this node's pods and starts watching them; {@link PodDirectory#NONE} (and one warning) when the API
     * server refuses. Another failure (API server unreachable) is logged and the informer keeps retrying.
     */
    public static PodDirectory start(KubernetesClient client, String nodeName) {
        try {
            client.pods().inAnyNamespace().withField("spec.nodeName", nodeName).list();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 401 || e.getCode() == 403) {
                log.warn("the Kubernetes API refused to list pods on node {} (HTTP {}): workloads are named "
                        + "<namespace>/<owner or pod> and teams by namespace, without pod labels. To use labels, "
                        + "grant the collector's ServiceAccount get, list and watch on pods (see "
                        + "deploy/kubernetes/base/collector-rbac.yaml)", nodeName, e.getCode());
                client.close();
                return PodDirectory.NONE;
            }
            log.warn("cannot list pods on node {} yet ({}); retrying in the background, pods are named without "
                    + "labels until then", nodeName, e.getMessage());
        }
        ApiPodDirectory directory = new ApiPodDirectory(client);
        directory.informer = client.pods().inAnyNamespace().withField("spec.nodeName", nodeName)
                .runnableInformer(0);
        directory.informer.addEventHandler(directory.handler());
        directory.informer.exceptionHandler((started, t) -> {
            // a later refusal (the binding was removed) stops the watch: keep what is known, say it once
            if (t instanceof KubernetesClientException k && (k.getCode() == 401 || k.getCode() == 403)) {
                log.warn("the Kubernetes API now refuses to watch pods on node {} (HTTP {}): pod labels stop "
                        + "updating", nodeName, k.getCode());
                return false;
            }
            return true;
        });
        directory.informer.start();
        return directory;
    }

    private ResourceEventHandler<Pod> handler() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                put(pod);
            }

            @Override
            public void onUpdate(Pod oldPod, Pod newPod) {
                put(newPod);
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                changes.incrementAndGet();
                PodInfo gone = byUid.remove(pod.getMetadata().getUid());
                if (gone != null) {
                    byRef.remove(gone.ref(), gone);
                }
                generation.incrementAndGet();
            }
        };
    }

    private void put(Pod pod) {
        changes.incrementAndGet();
        PodInfo info = toInfo(pod);
        PodInfo before = byUid.put(info.uid(), info);
        byRef.put(info.ref(), info);
        if (!info.equals(before)) {
            generation.incrementAndGet();
        }
    }

    static PodInfo toInfo(Pod pod) {
        var meta = pod.getMetadata();
        String ownerKind = null;
        String ownerName = null;
        if (meta.getOwnerReferences() != null) {
            for (OwnerReference owner : meta.getOwnerReferences()) {
                if (Boolean.TRUE.equals(owner.getController())) {
                    ownerKind = owner.getKind();
                    ownerName = owner.getName();
                }
            }
        }
        // A Deployment's pods belong to a ReplicaSet named <deployment>-<pod-template-hash>: report the Deployment.
        String hash = meta.getLabels() == null ? null : meta.getLabels().get("pod-template-hash");
        if ("ReplicaSet".equals(ownerKind) && hash != null && ownerName.endsWith("-" + hash)) {
            ownerKind = "Deployment";
            ownerName = ownerName.substring(0, ownerName.length() - hash.length() - 1);
        }
        return new PodInfo(meta.getUid(), new PodRef(meta.getNamespace(), meta.getName()), meta.getLabels(),
                meta.getAnnotations(), ownerKind, ownerName);
    }

    @Override
    public Optional<PodInfo> byRef(PodRef ref) {
        return Optional.ofNullable(byRef.get(ref));
    }

    @Override
    public Optional<PodInfo> byUid(String uid) {
        return Optional.ofNullable(byUid.get(uid));
    }

    @Override
    public long generation() {
        return generation.get();
    }

    @Override
    public long changes() {
        return changes.get();
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
        client.close();
    }
}
