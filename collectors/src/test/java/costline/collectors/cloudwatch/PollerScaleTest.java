package costline.collectors.cloudwatch;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.GpuSample;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batching: 1,000 GPUs x 5 metrics in at most 10 GetMetricData calls; NextToken and PartialData followed. */
class PollerScaleTest {

    @TempDir
    Path dir;

    @Test
    void thousandGpusFiveMetricsTakeAtMostTenGetMetricDataCalls() throws Exception {
        try (PollerFixture f = new PollerFixture(dir)) {
            f.addAgentInstances("us-east-1", 125, "p4d.24xlarge", 8, PollerFixture.FIVE, true, Map.of());
            assertThat(f.gpus).hasSize(1000);
            f.fill(PollerFixture.FIVE, PollerFixture.T0, PollerFixture.T0.plus(Duration.ofMinutes(30)));
            f.clock.now = PollerFixture.T0.plus(Duration.ofMinutes(30));
            try (CloudWatchPoller poller = f.poller(f.settings("us-east-1").withMetrics(PollerFixture.FIVE))) {
                ApiCostEstimate estimate = poller.discover();
                assertThat(estimate.metrics()).isEqualTo(5000);
                f.aws.clearRequests();
                CloudWatchPoller.Cycle cycle = poller.pollOnce();
                assertThat(cycle.failures()).isEmpty();
            }
            List<FakeAwsEndpoint.Recorded> calls = f.aws.requests("GetMetricData");
            assertThat(calls).hasSizeLessThanOrEqualTo(10);
            assertThat(calls).allSatisfy(c -> assertThat((List<?>) c.body().get("MetricDataQueries")).hasSizeLessThanOrEqualTo(500));
            // Every GPU, every one of the 10 periods in the late window, each once, with all five readings.
            assertThat(f.published).hasSize(1000 * 10);
            Map<String, Long> perGpu = f.published.stream().collect(Collectors.groupingBy(GpuSample::getGpuId, Collectors.counting()));
            assertThat(perGpu).hasSize(1000).allSatisfy((gpu, n) -> assertThat(n).isEqualTo(10));
            assertThat(f.published).allSatisfy(s -> {
                assertThat(s.getUtilGpuPct()).isNotNull();
                assertThat(s.getUtilMemPct()).isNotNull();
                assertThat(s.getMemUsedBytes()).isNotNull();
                assertThat(s.getPowerW()).isNotNull();
                assertThat(s.getTempC()).isNotNull();
                assertThat(s.getMemTotalBytes()).isNull();
            });
        }
    }

    @Test
    void followsNextTokenThroughPartialDataAndListMetricsPages() throws Exception {
        try (PollerFixture f = new PollerFixture(dir)) {
            f.addAgentInstances("us-east-1", 3, "g5.xlarge", 1, PollerFixture.FIVE, true, Map.of());
            f.fill(PollerFixture.FIVE, PollerFixture.T0, PollerFixture.T0.plus(Duration.ofMinutes(30)));
            f.clock.now = PollerFixture.T0.plus(Duration.ofMinutes(30));
            f.aws.maxDatapointsPerResponse = 7; // 3 GPUs x 5 metrics x 10 periods = 150 points: 22 pages
            f.aws.listMetricsPageSize = 2;      // 3 series per metric name: 2 pages each
            try (CloudWatchPoller poller = f.poller(f.settings("us-east-1").withMetrics(PollerFixture.FIVE))) {
                poller.start();
                CloudWatchPoller.Cycle cycle = poller.pollOnce();
                assertThat(cycle.failures()).isEmpty();
                assertThat(cycle.reports().get(0).incompleteQueries()).isZero();
            }
            assertThat(f.aws.requests("ListMetrics")).hasSize(5 * 2);
            assertThat(f.aws.requests("ListMetrics")).filteredOn(r -> r.body().containsKey("NextToken")).hasSize(5);
            List<FakeAwsEndpoint.Recorded> gmd = f.aws.requests("GetMetricData");
            assertThat(gmd).hasSize(22);
            assertThat(gmd.get(0).body()).doesNotContainKey("NextToken");
            assertThat(gmd.subList(1, gmd.size())).allSatisfy(r -> assertThat(r.body()).containsKey("NextToken"));
            assertThat(f.published).hasSize(3 * 10);
            for (GpuSample s : f.published) {
                PollerFixture.AgentGpu g = f.gpus.stream().filter(x -> s.getGpuId().equals(x.instanceId() + "/0")).findFirst().orElseThrow();
                var period = s.getSampleTime().minus(PollerFixture.PERIOD);
                assertThat(s.getUtilGpuPct()).isEqualTo((float) PollerFixture.value(GpuMetric.UTIL_GPU, g, period));
                assertThat(s.getTempC()).isEqualTo((int) Math.round(PollerFixture.value(GpuMetric.TEMPERATURE, g, period)));
            }
        }
    }
}
