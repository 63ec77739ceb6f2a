package costline.collectors.cloudwatch;

import costline.events.CloudPlacement;
import costline.events.GpuSample;
import costline.events.Site;
import costline.events.Source;
import costline.events.WorkloadShare;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Turns CloudWatch values and EC2 metadata into GpuSamples. Pure mapping, no AWS calls, so it is tested on
 * captured data alone.
 *
 * <p>CloudWatch stamps a datapoint with the start of its period; a GpuSample's sample_time is the end of
 * the interval it covers. So sample_time = period start + period, interval_ms = period.
 */
public final class SampleFactory {

    static final String UNKNOWN = "unknown";

    private final String workloadTagKey;
    private final String teamTagKey;

    public SampleFactory(String workloadTagKey, String teamTagKey) {
        this.workloadTagKey = workloadTagKey;
        this.teamTagKey = teamTagKey;
    }

    /** The identity of the GPU behind an agent series; {@code instance} is null when EC2 did not describe it. */
    public GpuIdentity identify(String region, GpuSeries series, InstanceInfo instance) {
        if (instance == null) {
            String instanceId = series.instanceId() != null ? series.instanceId() : series.host();
            String host = series.host() != null ? series.host() : instanceId;
            String model = series.gpuName() != null ? series.gpuName() : UNKNOWN;
            return new GpuIdentity(instanceId + "/" + series.index(), series.index(), host, model, region, null,
                    UNKNOWN, instanceId, List.of(), false, null);
        }
        String host = series.host() != null ? series.host() : hostOf(instance);
        String model = series.gpuName() != null ? series.gpuName() : modelOf(instance);
        return identity(instance, series.index(), host, model);
    }

    /** The identity of GPU {@code index} of an instance whose agent published nothing for it. */
    public GpuIdentity identify(InstanceInfo instance, int index) {
        return identity(instance, index, hostOf(instance), modelOf(instance));
    }

    private GpuIdentity identity(InstanceInfo instance, int index, String host, String model) {
        return new GpuIdentity(instance.instanceId() + "/" + index, index, host, model, instance.region(), instance.zone(),
                instance.instanceType(), instance.instanceId(), workloads(instance.tags()), true, instance.lifecycle());
    }

    List<WorkloadShare> workloads(Map<String, String> tags) {
        String workload = tags.get(workloadTagKey);
        if (workload == null || workload.isBlank()) {
            return List.of();
        }
        String team = tags.get(teamTagKey);
        return List.of(WorkloadShare.newBuilder()
                .setWorkload(workload)
                .setTeam(team == null || team.isBlank() ? null : team)
                .setShare(1.0f)
                .setPid(null)
                .build());
    }

    /**
     * The sample of one GPU for the period starting at {@code periodStart}; a metric absent from
     * {@code values} stays null (an instance without agent metrics gets an all-null sample).
     */
    public GpuSample sample(GpuIdentity id, Instant periodStart, Duration period, Map<GpuMetric, Double> values) {
        GpuSample.Builder b = GpuSample.newBuilder()
                .setSampleTime(periodStart.plus(period))
                .setIntervalMs(period.toMillis())
                .setSource(Source.CLOUDWATCH)
                .setSite(Site.CLOUD)
                .setHost(id.host())
                .setGpuId(id.gpuId())
                .setGpuIndex(id.index())
                .setGpuModel(id.model())
                .setCloud(CloudPlacement.newBuilder()
                        .setProvider("aws")
                        .setRegion(id.region())
                        .setZone(id.zone())
                        .setInstanceType(id.instanceType())
                        .setInstanceId(id.instanceId())
                        .setLifecycle(id.lifecycle())
                        .build())
                .setWorkloads(id.workloads());
        values.forEach((metric, value) -> {
            if (value != null && Double.isFinite(value)) {
                metric.apply(b, value);
            }
        });
        return b.build();
    }

    /**
     * A stable 64-bit digest of a period's values: equal values give equal digests across restarts, so a
     * re-read that returns the same numbers publishes nothing and a changed one publishes a correction.
     */
    public static long fingerprint(Map<GpuMetric, Double> values) {
        long h = 0x9E3779B97F4A7C15L;
        for (GpuMetric m : GpuMetric.values()) {
            Double v = values.get(m);
            long bits = v == null || !Double.isFinite(v) ? 0x7FF8_0000_0000_0001L : Double.doubleToLongBits(v);
            h = mix(h ^ mix(bits + m.ordinal()));
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static String hostOf(InstanceInfo instance) {
        String dns = instance.privateDnsName();
        return dns == null || dns.isBlank() ? instance.instanceId() : dns;
    }

    private static String modelOf(InstanceInfo instance) {
        return instance.gpu().model() != null ? instance.gpu().model() : UNKNOWN;
    }
}
