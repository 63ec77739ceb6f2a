package costline.collectors.kubernetes;

import costline.collectors.attribution.Workload;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A pod's workload and team. With the pod's labels: the first of {@code workloadKeys} set (a label, else an
 * annotation of that key) names the workload, the first of {@code teamKeys} the team. Without a label (or without
 * API access) the workload is {@code <namespace>/<owner or pod>} and the team the namespace. The owner is the pod's
 * controller from the API server (a ReplicaSet followed to its Deployment); without the API server it is read from
 * the pod name's generated suffixes: {@code <deployment>-<pod-template-hash>-<5 chars>},
 * {@code <daemonset or job>-<5 chars>}, {@code <statefulset>-<ordinal>}.
 */
public final class WorkloadNaming {

    // Kubernetes' generated suffixes use the alphabet bcdfghjklmnpqrstvwxz2456789 (no vowels, no 0/1/3).
    private static final String SAFE = "[bcdfghjklmnpqrstvwxz2456789]";
    private static final Pattern DEPLOYMENT_POD = Pattern.compile("^(.+)-" + SAFE + "{6,10}-" + SAFE + "{5}$");
    private static final Pattern GENERATED_POD = Pattern.compile("^(.+)-" + SAFE + "{5}$");
    private static final Pattern STATEFUL_POD = Pattern.compile("^(.+)-\\d+$");

    private final List<String> workloadKeys;
    private final List<String> teamKeys;

    public WorkloadNaming(List<String> workloadKeys, List<String> teamKeys) {
        this.workloadKeys = List.copyOf(workloadKeys);
        this.teamKeys = List.copyOf(teamKeys);
    }

    public Workload name(PodRef pod, Optional<PodInfo> info) {
        String workload = null;
        String team = null;
        String owner;
        if (info.isPresent()) {
            PodInfo p = info.get();
            workload = first(p, workloadKeys);
            team = first(p, teamKeys);
            owner = p.ownerName() != null ? p.ownerName() : pod.name();
        } else {
            owner = ownerFromName(pod.name());
        }
        return new Workload(workload != null ? workload : pod.namespace() + "/" + owner,
                team != null ? team : pod.namespace(), pod.namespace(), pod.name());
    }

    private static String first(PodInfo pod, List<String> keys) {
        for (String key : keys) {
            String value = valueOf(pod.labels(), key);
            if (value == null) {
                value = valueOf(pod.annotations(), key);
            }
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static String valueOf(Map<String, String> map, String key) {
        String v = map.get(key);
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** The controller's name as the pod name shows it; the pod name itself when no generated suffix is seen. */
    static String ownerFromName(String podName) {
        for (Pattern p : List.of(DEPLOYMENT_POD, GENERATED_POD, STATEFUL_POD)) {
            var m = p.matcher(podName);
            if (m.matches()) {
                return m.group(1);
            }
        }
        return podName;
    }
}
