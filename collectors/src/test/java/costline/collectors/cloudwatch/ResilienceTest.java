package costline.collectors.cloudwatch;

import costline.collectors.poll.Retrier;
import static org.assertj.core.api.Assertions.assertThat;

import costline.events.GpuSample;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Throttling and 5xx: the SDK retries, then this poller backs off with jitter; one region's failure stays its own. */
class ResilienceTest {

    static final Instant T0 = PollerFixture.T0;

    @TempDir
    Path dir;

    @Test
    void throttlingOutlastingTheSdkRetriesIsRetriedWithJitteredBackoff() throws Exception {
        try (PollerFixture f = new PollerFixture(dir)) {
            f.addAgentInstances("us-east-1", 2, "g5.xlarge", 1, PollerFixture.FIVE, true, Map.of());
            f.fill(PollerFixture.FIVE, T0, T0.plus(Duration.ofMinutes(30)));
            f.clock.now = T0.plus(Duration.ofMinutes(30));
            try (CloudWatchPoller poller = f.poller(f.settings("us-east-1").withMetrics(PollerFixture.FIVE))) {
                poller.start();
                f.aws.clearRequests();
                f.aws.throttle("GetMetricData", 4);
                f.aws.throttle("DescribeInstances", 3);
                CloudWatchPoller.Cycle cycle = poller.pollOnce();
                assertThat(cycle.failures()).isEmpty();
            }
            // SDK 2.57.8 makes 4 attempts per call: 3 throttled DescribeInstances are absorbed by the SDK alone;
            // 4 throttled GetMetricData exhaust it, and this layer calls once more after one backoff.
            assertThat(f.aws.requests("DescribeInstances")).hasSize(4);
            assertThat(f.aws.requests("GetMetricData")).hasSize(5);
            assertThat(f.sleeps).hasSize(1);
            // Equal jitter around the first step: between half of 100 ms and 100 ms (the test's random is 0.5).
            assertThat(f.sleeps).allSatisfy(d -> assertThat(d).isEqualTo(Duration.ofMillis(75)));
            assertThat(f.published).hasSize(2 * 10);
        }
    }

    @Test
    void aFailingRegionDoesNotStopTheOthersAndCatchesUpFromItsWatermark() throws Exception {
        try (PollerFixture f = new PollerFixture(dir)) {
            f.addAgentInstances("us-east-1", 1, "g5.xlarge", 1, PollerFixture.FIVE, true, Map.of());
            f.addAgentInstances("eu-west-1", 1, "g5.xlarge", 1, PollerFixture.FIVE, true, Map.of());
            f.fill(PollerFixture.FIVE, T0, T0.plus(Duration.ofHours(1)));
            try (CloudWatchPoller poller = f.poller(f.settings("us-east-1", "eu-west-1").withMetrics(PollerFixture.FIVE))) {
                f.clock.now = T0.plus(Duration.ofMinutes(30));
                poller.start();
                poller.pollOnce();

                f.aws.fail("eu-west-1");
                f.sleeps.clear();
                f.clock.now = T0.plus(Duration.ofMinutes(35));
                CloudWatchPoller.Cycle failed = poller.pollOnce();
                assertThat(failed.failures()).containsOnlyKeys("eu-west-1");
                assertThat(failed.reports()).extracting(RegionPoller.Report::region).containsExactly("us-east-1");
                // 4 attempts at this layer, 3 backoffs, growing and capped.
                assertThat(f.sleeps).containsExactly(Duration.ofMillis(75), Duration.ofMillis(150), Duration.ofMillis(300));
                assertThat(f.aws.requests("GetMetricData", "eu-west-1").size()).isGreaterThanOrEqualTo(1 + 4);

                f.aws.recover("eu-west-1");
                f.clock.now = T0.plus(Duration.ofMinutes(40));
                CloudWatchPoller.Cycle recovered = poller.pollOnce();
                assertThat(recovered.failures()).isEmpty();
                RegionPoller.Report eu = recovered.reports().stream().filter(r -> r.region().equals("eu-west-1")).findFirst().orElseThrow();
                assertThat(eu.readFrom()).isEqualTo(T0.plus(Duration.ofMinutes(20)));
            }
            for (String region : List.of("us-east-1", "eu-west-1")) {
                List<Instant> times = f.published.stream().filter(s -> s.getCloud().getRegion().equals(region))
                        .map(GpuSample::getSampleTime).sorted().toList();
                assertThat(times).doesNotHaveDuplicates().hasSize(20);
                assertThat(times.get(0)).isEqualTo(T0.plus(Duration.ofMinutes(21)));
                assertThat(times.get(19)).isEqualTo(T0.plus(Duration.ofMinutes(40)));
            }
        }
    }

    @Test
    void accessDeniedIsNotRetriedAndSaysSo() {
        var denied = software.amazon.awssdk.services.cloudwatch.model.CloudWatchException.builder().statusCode(403)
                .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder()
                        .errorCode("AccessDenied").errorMessage("not authorized").build()).build();
        assertThat(Retrier.isRetriable(denied)).isFalse();
        var throttled = software.amazon.awssdk.services.cloudwatch.model.CloudWatchException.builder().statusCode(400)
                .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder()
                        .errorCode("Throttling").errorMessage("Rate exceeded").build()).build();
        assertThat(Retrier.isRetriable(throttled)).isTrue();
        Retrier r = new Retrier(Duration.ofMillis(100), Duration.ofSeconds(1), 5, d -> { }, () -> 1.0);
        assertThat(r.delay(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(r.delay(4)).isEqualTo(Duration.ofMillis(800));
        assertThat(r.delay(5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(r.delay(40)).isEqualTo(Duration.ofSeconds(1));
        Retrier low = new Retrier(Duration.ofMillis(100), Duration.ofSeconds(1), 5, d -> { }, () -> 0.0);
        assertThat(low.delay(5)).isEqualTo(Duration.ofMillis(500));
    }
}
