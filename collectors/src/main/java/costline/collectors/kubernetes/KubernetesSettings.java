package costline.collectors.kubernetes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Settings of the Kubernetes resolver, validated when built (a bad value stops start-up naming the option and
 * the fix).
 *
 * @param mode         --kubernetes: {@code auto} (on when the kubelet socket exists at start-up), {@code on} (on even
 *                     if the socket is missing now: it is retried), {@code off}
 * @param socket       --kubelet-socket, the PodResources socket
 * @param timeout      --kubelet-timeout, deadline of one PodResources call
 * @param refresh      --kubelet-refresh, how often the pods' devices are listed again (also on an unknown device)
 * @param api          --kubernetes-api: {@code auto} (read pod labels when running in a cluster or a kubeconfig is
 *                     set) or {@code off}
 * @param nodeName     --node-name, this node's name as the API server knows it
 * @param workloadKeys --workload-label, pod labels (or annotations) naming the workload, first set wins
 * @param teamKeys     --team-label, pod labels (or annotations) naming the team, first set wins
 */
public record KubernetesSettings(Mode mode, Path socket, Duration timeout, Duration refresh, ApiMode api,
                                 String nodeName, List<String> workloadKeys, List<String> teamKeys) {

    public static final Path DEFAULT_SOCKET = Path.of("/var/lib/kubelet/pod-resources/kubelet.sock");
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /**
     * New processes trigger a list at once, so the periodic one only notices pods that ended while their device stays
     * idle; at 30 s its CPU spread over 8 GPUs sampled each second is about 3.5 us a sample (BENCHMARKS.md).
     */
    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(30);
    public static final List<String> DEFAULT_WORKLOAD_KEYS = List.of("app.kubernetes.io/name", "app");
    public static final List<String> DEFAULT_TEAM_KEYS = List.of("team", "app.kubernetes.io/part-of");

    public enum Mode { AUTO, ON, OFF }

    public enum ApiMode { AUTO, OFF }

    public KubernetesSettings {
        // "--workload-label ''" gives one blank key: keys are label names, a blank one names nothing
        workloadKeys = workloadKeys.stream().map(String::trim).filter(k -> !k.isEmpty()).toList();
        teamKeys = teamKeys.stream().map(String::trim).filter(k -> !k.isEmpty()).toList();
        if (socket == null) {
            throw new IllegalArgumentException("--kubelet-socket is empty: give the PodResources socket, default "
                    + DEFAULT_SOCKET);
        }
        positive(timeout, "--kubelet-timeout", "2s");
        positive(refresh, "--kubelet-refresh", "30s");
        if (nodeName == null || nodeName.isBlank()) {
            throw new IllegalArgumentException("--node-name is blank: give this node's name as Kubernetes knows it "
                    + "(the DaemonSet sets NODE_NAME from spec.nodeName)");
        }
        if (workloadKeys.isEmpty()) {
            throw new IllegalArgumentException("--workload-label is empty: name at least one pod label, e.g. "
                    + String.join(",", DEFAULT_WORKLOAD_KEYS));
        }
    }

    public static KubernetesSettings defaults(String nodeName) {
        return new KubernetesSettings(Mode.AUTO, DEFAULT_SOCKET, DEFAULT_TIMEOUT, DEFAULT_REFRESH, ApiMode.AUTO,
                nodeName, DEFAULT_WORKLOAD_KEYS, DEFAULT_TEAM_KEYS);
    }

    /** Whether the resolver runs: always when on, when the socket exists at start-up when auto. */
    public boolean enabled() {
        return mode == Mode.ON || (mode == Mode.AUTO && Files.exists(socket));
    }

    /** Reading pod labels makes sense inside a cluster (service account) or with a kubeconfig. */
    public boolean apiConfigured() {
        if (api == ApiMode.OFF) {
            return false;
        }
        return System.getenv("KUBERNETES_SERVICE_HOST") != null || System.getenv("KUBECONFIG") != null
                || Files.exists(Path.of(System.getProperty("user.home"), ".kube", "config"));
    }

    public static Mode mode(String value) {
        return parse(Mode.class, value, "--kubernetes", "auto, on or off");
    }

    public static ApiMode apiMode(String value) {
        return parse(ApiMode.class, value, "--kubernetes-api", "auto or off");
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String value, String option, String allowed) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(option + " '" + value + "' is not one of " + allowed);
        }
    }

    private static void positive(Duration d, String option, String example) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(option + " must be a positive duration (e.g. " + example + "), got " + d);
        }
    }
}
