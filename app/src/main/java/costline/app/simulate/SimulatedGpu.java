package costline.app.simulate;

import costline.events.CloudPlacement;
import costline.events.Site;

/**
 * One GPU of the simulated fleet.
 *
 * @param gpuId      NVML-style UUID on-prem, instance-id/index in the cloud
 * @param slot       position of this GPU within its workload (drives {@link Demand#dailyPeaks})
 * @param workload   workload on it, or null for a GPU nobody uses (cost goes to unallocated)
 * @param idleW      board power when idle, watts
 * @param maxW       board power at full load, watts
 * @param memTotal   device memory, bytes
 */
public record SimulatedGpu(String gpuId, String host, int index, String model, Site site, CloudPlacement cloud,
                           int slot, String workload, String team, Demand demand, double idleW, double maxW,
                           long memTotal) {
}
