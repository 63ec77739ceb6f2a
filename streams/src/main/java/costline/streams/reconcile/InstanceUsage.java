package costline.streams.reconcile;

/**
 * What costline saw of one EC2 instance in one month: how long it observed it and what it costed it at.
 *
 * @param instanceId        i-...
 * @param region            region of its samples
 * @param instanceType      instance type of its samples
 * @param lifecycle         "spot" or null
 * @param gpusPerInstance   GPUs of the type, from the price it was costed at (0 when unpriced)
 * @param observedMs        instance time covered by samples (the longest of its GPUs), milliseconds
 * @param estimatedMicroUsd costline's cost of the instance's GPUs, micro-USD
 */
public record InstanceUsage(String instanceId, String region, String instanceType, String lifecycle, int gpusPerInstance,
                            long observedMs, long estimatedMicroUsd) {
}
