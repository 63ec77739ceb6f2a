package costline.collectors.cloudwatch;

import costline.events.WorkloadShare;
import java.util.List;

/**
 * Who a GPU is and where it runs: everything in a GpuSample that does not come from a metric value.
 *
 * @param gpuId        instance-id/gpu-index (the record key)
 * @param index        GPU index on the instance
 * @param host         the agent's host dimension, else the instance's private DNS name, else its id
 * @param model        GPU model: the agent's name dimension, else the instance type's GPU, else "unknown"
 * @param region       region polled
 * @param zone         availability zone, null when unknown
 * @param instanceType instance type, "unknown" when EC2 did not describe the instance
 * @param instanceId   instance id, the host name when EC2 did not describe the instance
 * @param workloads    one share of 1.0 for the workload tag, or empty (unallocated)
 * @param resolved     whether EC2 described the instance
 * @param lifecycle    "spot" for a spot instance (priced at its zone's spot price), else null
 */
public record GpuIdentity(String gpuId, int index, String host, String model, String region, String zone,
                          String instanceType, String instanceId, List<WorkloadShare> workloads, boolean resolved,
                          String lifecycle) {
}
