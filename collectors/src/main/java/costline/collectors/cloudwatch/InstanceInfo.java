package costline.collectors.cloudwatch;

import java.time.Instant;
import java.util.Map;

/**
 * What EC2 says about one instance.
 *
 * @param instanceId     i-...
 * @param instanceType   e.g. p4d.24xlarge
 * @param region         the region polled
 * @param zone           availability zone, null when EC2 did not say
 * @param state          pending, running, stopping, stopped, shutting-down, terminated
 * @param launchTime     last start of the instance
 * @param privateDnsName e.g. ip-10-0-1-23.ec2.internal, the agent's default host dimension; may be empty
 * @param tags           the instance's tags
 * @param gpu            GPUs of the instance type, from DescribeInstanceTypes; {@link GpuInfo#NONE} without GPUs
 * @param lifecycle      EC2's instanceLifecycle: "spot", "capacity-block", or null for on-demand
 */
public record InstanceInfo(String instanceId, String instanceType, String region, String zone, String state,
                           Instant launchTime, String privateDnsName, Map<String, String> tags, GpuInfo gpu,
                           String lifecycle) {

    public InstanceInfo {
        tags = Map.copyOf(tags);
    }

    public boolean running() {
        return "running".equals(state);
    }

    public boolean spot() {
        return "spot".equals(lifecycle);
    }

    /**
     * GPUs of an instance type.
     *
     * @param count       GPUs per instance
     * @param model       manufacturer and name, e.g. "NVIDIA A100"; null when unknown
     * @param memoryMiB   memory of one GPU, MiB; null when unknown
     */
    public record GpuInfo(int count, String model, Integer memoryMiB) {
        public static final GpuInfo NONE = new GpuInfo(0, null, null);
    }
}
