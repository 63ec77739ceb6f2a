package costline.collectors.attribution;

import java.util.Objects;

/**
 * Who a GPU process works for. {@code team} is null when the resolver that found the workload cannot tell;
 * {@code namespace} and {@code pod} are set only when the workload is a Kubernetes pod's.
 */
public record Workload(String name, String team, String namespace, String pod) {

    /** GPU time with no process on the GPU. */
    public static final String UNALLOCATED = costline.schemas.Topics.UNALLOCATED;
    /** A process that no resolver could name. */
    public static final String UNATTRIBUTED = "unattributed";

    public Workload {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("workload name is blank");
        }
    }

    public Workload(String name, String team) {
        this(name, team, null, null);
    }
}
