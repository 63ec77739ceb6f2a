package costline.collectors.cloudwatch.bench;

import costline.collectors.cloudwatch.CloudWatchPoller;
import costline.collectors.cloudwatch.CloudWatchSettings;
import costline.collectors.cloudwatch.PollerFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * One poll over N GPUs x 5 metrics against the local endpoint, through the real SDK: GetMetricData calls,
 * wall time and samples per second, with 500 queries per call against a baseline of 50 per call, in the
 * same run. Prints figures; asserts nothing.
 *
 * <pre>
 * mvn -B -q -pl collectors -am test-compile
 * java -cp "collectors/target/test-classes:collectors/target/classes:$(mvn -q -pl collectors dependency:build-classpath \
 *   -Dmdep.outputFile=/dev/stdout)" costline.collectors.cloudwatch.bench.PollBenchmark 1000 5
 * </pre>
 */
public final class PollBenchmark {

    public static void main(String[] args) throws Exception {
        int gpus = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.printf("CloudWatch poll benchmark: %,d GPUs x 5 metrics, late window 10 min, cadence 5 min, %d rounds each%n", gpus, rounds);
        double[] ms = new double[2];
        for (int batch : new int[] {50, 500, 50, 500}) {
            ms[batch == 50 ? 0 : 1] += run(gpus, rounds, batch) / 2; // two runs of each, alternating
        }
        System.out.printf(java.util.Locale.ROOT, "cloudwatch: %.1f ms per poll at 500 queries per call (%.2f of %.1f ms at 50 per call)%n",
                ms[1], ms[1] / ms[0], ms[0]);
    }

    private static double run(int gpus, int rounds, int batch) throws Exception {
        Path dir = Files.createTempDirectory("cw-bench");
        try (PollerFixture f = new PollerFixture(dir)) {
            f.addAgentInstances("us-east-1", gpus / 8, "p4d.24xlarge", 8, PollerFixture.FIVE, true, Map.of());
            f.fill(PollerFixture.FIVE, PollerFixture.T0, PollerFixture.T0.plus(Duration.ofMinutes(30 + 5L * rounds)));
            CloudWatchSettings base = f.settings("us-east-1").withMetrics(PollerFixture.FIVE);
            CloudWatchSettings s = new CloudWatchSettings(base.regions(), base.namespace(), base.period(), base.cadence(),
                    base.lateWindow(), base.maxCatchUp(), base.metrics(), base.workloadTagKey(), base.teamTagKey(),
                    base.stateFile(), base.cloudWatchEndpoint(), base.ec2Endpoint(), base.discoveryRefresh(), base.ec2Refresh(),
                    base.retryBaseDelay(), base.retryMaxDelay(), base.retryMaxAttempts(), batch);
            try (CloudWatchPoller poller = new CloudWatchPoller(s, f.published::add, f.clock)) {
                f.clock.now = PollerFixture.T0.plus(Duration.ofMinutes(30));
                poller.start();
                poller.pollOnce(); // warm-up: first read of the late window
                long totalNanos = 0;
                int calls = 0;
                int published = 0;
                for (int r = 0; r < rounds; r++) {
                    f.clock.advance(Duration.ofMinutes(5));
                    long t0 = System.nanoTime();
                    CloudWatchPoller.Cycle c = poller.pollOnce();
                    totalNanos += System.nanoTime() - t0;
                    calls += c.getMetricDataCalls();
                    published += c.published();
                }
                double ms = totalNanos / 1e6 / rounds;
                System.out.printf("  %3d queries/call: %5.1f GetMetricData calls/poll, %7.1f ms/poll, %,8.0f samples published/s"
                                + " (%d new samples/poll; each poll reads %d series x 15 periods)%n",
                        batch, (double) calls / rounds, ms, published / (totalNanos / 1e9), published / rounds, gpus * 5);
                return ms;
            }
        }
    }
}
