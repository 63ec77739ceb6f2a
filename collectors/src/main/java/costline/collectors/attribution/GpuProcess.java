package costline.collectors.attribution;

/**
 * One process on a GPU, as the attributor needs it.
 *
 * @param usedMemoryBytes device memory the process holds, bytes; null where the driver cannot tell
 * @param smUtilPct       the process's SM utilization over the interval, percent; null where not offered
 */
public record GpuProcess(int pid, Long usedMemoryBytes, Double smUtilPct) {
}
