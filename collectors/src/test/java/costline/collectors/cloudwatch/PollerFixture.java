package costline.collectors.cloudwatch;

import costline.collectors.poll.Retrier;
import costline.events.GpuSample;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fleet of GPU instances on the test endpoint, the clock the poller reads, the samples it published and
 * the backoff delays it slept.
 */
public final class PollerFixture implements AutoCloseable {

    public static final Instant T0 = Instant.parse("2026-11-27T08:00:00Z");
    static final Duration PERIOD = Duration.ofSeconds(60);
    public static final Set<GpuMetric> FIVE = EnumSet.of(GpuMetric.UTIL_GPU, GpuMetric.UTIL_MEM, GpuMetric.MEM_USED,
            GpuMetric.POWER, GpuMetric.TEMPERATURE);

    static {
        // The SDK's default credentials chain reads these system properties first.
        System.setProperty("aws.accessKeyId", "AKIDCOSTLINETEST");
        System.setProperty("aws.secretAccessKey", "costline-test-secret");
    }

    /** A clock the test moves. */
    public static final class TestClock extends Clock {
        public volatile Instant now;

        public TestClock(Instant now) {
            this.now = now;
        }

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }

        public void advance(Duration d) {
            now = now.plus(d);
        }
    }

    /** One GPU the agent reports. */
    record AgentGpu(String region, String instanceId, String host, int index, String model, Map<String, String> dims) { }

    public final FakeAwsEndpoint aws;
    public final TestClock clock = new TestClock(T0);
    public final List<GpuSample> published = new CopyOnWriteArrayList<>();
    final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    final List<AgentGpu> gpus = new ArrayList<>();
    final Path stateFile;
    private int instanceCounter;

    public PollerFixture(Path dir) throws Exception {
        this.aws = new FakeAwsEndpoint();
        this.stateFile = dir.resolve("state").resolve("watermarks.json");
        aws.addType("p4d.24xlarge", new FakeAwsEndpoint.GpuType(8, "NVIDIA", "A100", 40960));
        aws.addType("g5.xlarge", new FakeAwsEndpoint.GpuType(1, "NVIDIA", "A10G", 24576));
    }

    public CloudWatchSettings settings(String... regions) {
        return CloudWatchSettings.defaults(List.of(regions))
                .withEndpoints(aws.uri(), aws.uri())
                .withStateFile(stateFile)
                .withRetry(Duration.ofMillis(100), Duration.ofSeconds(2), 4)
                .validate();
    }

    CloudWatchPoller poller(CloudWatchSettings settings) {
        Retrier retrier = new Retrier(settings.retryBaseDelay(), settings.retryMaxDelay(), settings.retryMaxAttempts(),
                d -> sleeps.add(d), () -> 0.5);
        return new CloudWatchPoller(settings, published::add, clock, retrier);
    }

    /**
     * Adds {@code count} running instances of {@code type}, each with {@code gpusEach} GPUs reporting
     * {@code metrics}; with {@code instanceIdDim} the agent appends InstanceId (else only host identifies it).
     */
    public List<String> addAgentInstances(String region, int count, String type, int gpusEach, Set<GpuMetric> metrics,
                                   boolean instanceIdDim, Map<String, String> tags) {
        List<String> ids = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            int k = ++instanceCounter;
            String id = String.format("i-0%016x", 0xc0577100000L + k);
            String host = "ip-10-" + (k / 62500) + "-" + (k / 250 % 250) + "-" + (k % 250) + ".ec2.internal";
            aws.addInstance(region, new FakeAwsEndpoint.Ec2Instance(id, type, region + "a", "running",
                    T0.minus(Duration.ofDays(3)), host, tags));
            for (int g = 0; g < gpusEach; g++) {
                Map<String, String> dims = new LinkedHashMap<>();
                if (instanceIdDim) {
                    dims.put("InstanceId", id);
                    dims.put("InstanceType", type);
                }
                dims.put("host", host);
                dims.put("index", Integer.toString(g));
                dims.put("name", "NVIDIA A100-SXM4-40GB");
                AgentGpu gpu = new AgentGpu(region, id, host, g, "NVIDIA A100-SXM4-40GB", dims);
                gpus.add(gpu);
                for (GpuMetric m : metrics) {
                    aws.addMetric(region, m.metricName(), dims);
                }
            }
            ids.add(id);
        }
        return ids;
    }

    /** Writes the agent's datapoints for every GPU and metric, periods in [from, to). */
    public void fill(Set<GpuMetric> metrics, Instant from, Instant to) {
        for (AgentGpu g : gpus) {
            for (Instant p = from; p.isBefore(to); p = p.plus(PERIOD)) {
                for (GpuMetric m : metrics) {
                    aws.putPoint(g.region(), m.metricName(), g.dims(), p, value(m, g, p));
                }
            }
        }
    }

    /** The value the agent "measured": distinct per GPU, metric and period, in the agent's units. */
    static double value(GpuMetric m, AgentGpu g, Instant period) {
        int minute = (int) (period.getEpochSecond() / 60 % 1000);
        int seed = Math.floorMod(g.instanceId().hashCode() * 31 + g.index(), 1000);
        return switch (m) {
            case UTIL_GPU -> (seed + minute) % 101;
            case UTIL_MEM -> (seed * 7 + minute) % 101 / 2.0;
            case MEM_USED -> 1000 + seed * 10 + minute;
            case MEM_TOTAL -> 40960;
            case POWER -> 60.25 + (seed + minute) % 340;
            case TEMPERATURE -> 30 + (seed + minute) % 50 + 0.4;
            case SM_CLOCK -> 210 + (seed + minute) % 1200;
        };
    }

    @Override
    public void close() {
        aws.close();
    }
}
