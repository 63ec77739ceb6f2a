package costline.collectors.attribution;

/**
 * One process on a GPU, as the attributor needs it.
 *
 * @param usedMemoryBytes   device memory the process holds, bytes; null where the driver cannot tell
 * @param smUtilPct         the process's SM utilization over the interval, percent; null where not offered
 * @param gpuInstanceId     the MIG GPU instance the process runs in; null when MIG is off
 * @param computeInstanceId the MIG compute instance inside it; null when MIG is off
 */
public record GpuProcess(int pid, Long usedMemoryBytes, Double smUtilPct, Integer gpuInstanceId,
                         Integer computeInstanceId) {

    public GpuProcess(int pid, Long usedMemoryBytes, Double smUtilPct) {
        this(pid, usedMemoryBytes, smUtilPct, null, null);
    }
}
