package costline.collectors.attribution;

import java.util.List;
import java.util.Optional;

/** One link of the attribution chain: names the workload of a process on a GPU, or passes. */
public interface WorkloadResolver {

    /** Short name used in the chain setting and in logs: env, cgroup, map, kubernetes. */
    String name();

    /**
     * The workload of {@code pid} (a host pid, as NVML reports it) running on the device {@code gpuUuid} (a GPU
     * UUID, or a MIG device UUID for a process in a MIG instance), or empty when this resolver cannot tell (the next
     * one is asked). Must not throw for a process that has exited.
     */
    Optional<Workload> resolve(int pid, String gpuUuid);

    /**
     * Who holds a device that runs no process: a scheduler that hands out whole devices (Kubernetes) charges an idle
     * device to the pods holding it. Empty when this resolver does not know (the next one is asked).
     */
    default List<Workload> holders(String deviceUuid) {
        return List.of();
    }

    /**
     * Changes whenever answers this resolver gave before may have changed (a pod left, labels were edited), so the
     * chain drops its cached answers. Constant for resolvers whose answers only depend on the process.
     */
    default long generation() {
        return 0;
    }
}
