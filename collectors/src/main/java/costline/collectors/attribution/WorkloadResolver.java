package costline.collectors.attribution;

import java.util.Optional;

/** One link of the attribution chain: names the workload of a process on a GPU, or passes. */
public interface WorkloadResolver {

    /** Short name used in the chain setting and in logs: env, cgroup, map. */
    String name();

    /**
     * The workload of {@code pid} (a host pid, as NVML reports it) running on the GPU {@code gpuUuid}, or empty
     * when this resolver cannot tell (the next one is asked). Must not throw for a process that has exited.
     */
    Optional<Workload> resolve(int pid, String gpuUuid);
}
