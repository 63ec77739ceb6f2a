package costline.collectors.cloudwatch;

import costline.collectors.poll.PublishLedger;
import costline.collectors.poll.Retrier;
import costline.collectors.poll.WatermarkStore;
import static org.assertj.core.api.Assertions.assertThat;

import costline.events.GpuSample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Late data: a re-read period whose value changed is published again with the same (gpu_id, sample_time),
 * once; an unchanged one is not; a final one is never re-read. Restart: the watermark file carries on
 * without a gap and without publishing a (GPU, period) twice.
 */
class LateDataAndRestartTest {

    static final Instant T0 = PollerFixture.T0;

    @TempDir
    Path dir;

    @Test
    void aChangedRecentPeriodIsPublishedOnceMoreAsACorrectionAndAFinalOneNever() throws Exception {
        try (PollerFixture f = new PollerFixture(dir)) {
            f.addAgentInstances("us-east-1", 1, "p4d.24xlarge", 8, PollerFixture.FIVE, true, Map.of());
            PollerFixture.AgentGpu gpu0 = f.gpus.get(0);
            f.fill(PollerFixture.FIVE, T0, T0.plus(Duration.ofMinutes(30)));
            try (CloudWatchPoller poller = f.poller(f.settings("us-east-1").withMetrics(PollerFixture.FIVE))) {
                f.clock.now = T0.plus(Duration.ofMinutes(30));
                poller.start();
                poller.pollOnce();
                assertThat(f.published).hasSize(8 * 10);

                // Late samples reach CloudWatch: 08:27's average on GPU 0 moves; the next five minutes arrive.
                Instant late = T0.plus(Duration.ofMinutes(27));
                f.aws.putPoint("us-east-1", GpuMetric.UTIL_GPU.metricName(), gpu0.dims(), late, 42.5);
                f.fill(PollerFixture.FIVE, T0.plus(Duration.ofMinutes(30)), T0.plus(Duration.ofMinutes(35)));
                f.published.clear();
                f.clock.now = T0.plus(Duration.ofMinutes(35));
                CloudWatchPoller.Cycle second = poller.pollOnce();

                assertThat(second.reports().get(0).corrections()).isEqualTo(1);
                assertThat(second.reports().get(0).first()).isEqualTo(8 * 5);
                assertThat(second.reports().get(0).unchanged()).isEqualTo(8 * 10 - 1);
                List<GpuSample> corrections = f.published.stream()
                        .filter(s -> s.getSampleTime().isBefore(T0.plus(Duration.ofMinutes(31)))).toList();
                assertThat(corrections).hasSize(1);
                GpuSample c = corrections.get(0);
                assertThat(c.getGpuId()).isEqualTo(gpu0.instanceId() + "/0");
                assertThat(c.getSampleTime()).isEqualTo(late.plus(PollerFixture.PERIOD));
                assertThat(c.getUtilGpuPct()).isEqualTo(42.5f);
                // The rest of the correction is the whole sample again, so a consumer can replace it.
                assertThat(c.getPowerW()).isEqualTo((float) PollerFixture.value(GpuMetric.POWER, gpu0, late));
                assertThat(second.reports().get(0).watermark()).isEqualTo(T0.plus(Duration.ofMinutes(25)));

                // 08:22 is final now (before the 08:25 watermark): a change there is not read again.
                f.aws.putPoint("us-east-1", GpuMetric.UTIL_GPU.metricName(), gpu0.dims(), T0.plus(Duration.ofMinutes(22)), 99.0);
                f.fill(PollerFixture.FIVE, T0.plus(Duration.ofMinutes(35)), T0.plus(Duration.ofMinutes(40)));
                f.published.clear();
                f.clock.now = T0.plus(Duration.ofMinutes(40));
                CloudWatchPoller.Cycle third = poller.pollOnce();
                assertThat(third.reports().get(0).corrections()).isZero();
                assertThat(third.reports().get(0).noAgentSamples()).isZero();
                assertThat(f.published).allSatisfy(s -> assertThat(s.getSampleTime()).isAfter(T0.plus(Duration.ofMinutes(35))));
                assertThat(f.aws.requests("GetMetricData").get(2).body().get("StartTime")).isEqualTo(T0.plus(Duration.ofMinutes(25)));
            }
        }
    }

    @Test
    void aRestartResumesAtTheWatermarkWithoutGapOrDuplicate() throws Exception {
        try (PollerFixture f = new PollerFixture(dir)) {
            f.addAgentInstances("us-east-1", 2, "g5.xlarge", 1, PollerFixture.FIVE, true, Map.of());
            f.fill(PollerFixture.FIVE, T0, T0.plus(Duration.ofHours(3)));
            CloudWatchSettings settings = f.settings("us-east-1").withMetrics(PollerFixture.FIVE);
            try (CloudWatchPoller poller = f.poller(settings)) {
                poller.start();
                for (int m = 30; m <= 40; m += 5) {
                    f.clock.now = T0.plus(Duration.ofMinutes(m));
                    poller.pollOnce();
                }
            }
            assertThat(Files.readString(f.stateFile)).contains("\"watermark\":\"2026-11-27T08:30:00Z\"");
            int beforeRestart = f.published.size();

            // Restarted a little later: resumes at 08:30 and re-reads only the late window.
            try (CloudWatchPoller poller = f.poller(settings)) {
                poller.start();
                f.clock.now = T0.plus(Duration.ofMinutes(47));
                poller.pollOnce();
                assertThat(f.aws.requests("GetMetricData").get(3).body().get("StartTime")).isEqualTo(T0.plus(Duration.ofMinutes(30)));
            }
            // Restarted after a long outage (over an hour): catches up from the watermark.
            try (CloudWatchPoller poller = f.poller(settings)) {
                poller.start();
                f.clock.now = T0.plus(Duration.ofMinutes(170));
                poller.pollOnce();
            }
            assertThat(f.published.size()).isGreaterThan(beforeRestart);

            Map<String, List<GpuSample>> byGpu = f.published.stream().collect(Collectors.groupingBy(GpuSample::getGpuId));
            assertThat(byGpu).hasSize(2);
            for (List<GpuSample> samples : byGpu.values()) {
                List<Instant> times = samples.stream().map(GpuSample::getSampleTime).toList();
                assertThat(times).doesNotHaveDuplicates();
                TreeSet<Instant> sorted = new TreeSet<>(times);
                List<Instant> expected = new ArrayList<>();
                for (Instant t = T0.plus(Duration.ofMinutes(21)); !t.isAfter(T0.plus(Duration.ofMinutes(170))); t = t.plus(PollerFixture.PERIOD)) {
                    expected.add(t);
                }
                assertThat(sorted).containsExactlyElementsOf(expected);
            }
        }
    }

    @Test
    void aWatermarkOlderThanCloudWatchRetentionResumesAtTheOldestReadablePeriod() throws Exception {
        try (PollerFixture f = new PollerFixture(dir)) {
            f.addAgentInstances("us-east-1", 1, "g5.xlarge", 1, PollerFixture.FIVE, true, Map.of());
            PublishLedger stale = PublishLedger.empty();
            stale.finalizeBefore(T0.minus(Duration.ofDays(20)));
            new WatermarkStore(f.stateFile).save(Map.of("us-east-1", stale));
            f.clock.now = T0;
            try (CloudWatchPoller poller = f.poller(f.settings("us-east-1").withMetrics(PollerFixture.FIVE))) {
                CloudWatchPoller.Cycle c = poller.pollOnce();
                assertThat(c.reports().get(0).readFrom()).isEqualTo(T0.minus(Duration.ofDays(15)));
                // Catching up is done in max-catch-up steps (6 h by default).
                assertThat(c.reports().get(0).readTo()).isEqualTo(T0.minus(Duration.ofDays(15)).plus(Duration.ofHours(6)));
            }
        }
    }

    @Test
    void aQueryThatCameBackInternalErrorKeepsItsPeriodsOpenAndTheSinkIsFlushedEachPoll() throws Exception {
        try (PollerFixture f = new PollerFixture(dir)) {
            f.addAgentInstances("us-east-1", 1, "g5.xlarge", 1, PollerFixture.FIVE, true, Map.of());
            f.fill(PollerFixture.FIVE, T0, T0.plus(Duration.ofHours(1)));
            java.util.concurrent.atomic.AtomicInteger flushes = new java.util.concurrent.atomic.AtomicInteger();
            class FlushingSink implements costline.collectors.SampleSink, java.io.Flushable {
                @Override public void accept(GpuSample s) { f.published.add(s); }
                @Override public void flush() { flushes.incrementAndGet(); }
            }
            CloudWatchSettings settings = f.settings("us-east-1").withMetrics(PollerFixture.FIVE);
            try (CloudWatchPoller poller = new CloudWatchPoller(settings, new FlushingSink(), f.clock,
                    new Retrier(Duration.ofMillis(1), Duration.ofMillis(2), 2, d -> { }, () -> 0.5))) {
                f.clock.now = T0.plus(Duration.ofMinutes(30));
                poller.pollOnce();
                f.aws.internalErrorMetrics.add(GpuMetric.POWER.metricName());
                f.clock.now = T0.plus(Duration.ofMinutes(35));
                RegionPoller.Report held = poller.pollOnce().reports().get(0);
                assertThat(held.incompleteQueries()).isEqualTo(1);
                assertThat(held.watermark()).isEqualTo(T0.plus(Duration.ofMinutes(20)));
                // The periods read without power were published without it ...
                assertThat(f.published).filteredOn(s -> s.getSampleTime().isAfter(T0.plus(Duration.ofMinutes(30))))
                        .allSatisfy(s -> assertThat(s.getPowerW()).isNull());
                f.aws.internalErrorMetrics.clear();
                f.clock.now = T0.plus(Duration.ofMinutes(40));
                RegionPoller.Report recovered = poller.pollOnce().reports().get(0);
                // ... and are corrected once power comes back, since they were still open.
                assertThat(recovered.corrections()).isEqualTo(5);
                assertThat(recovered.watermark()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
                assertThat(flushes.get()).isEqualTo(3);
            }
            assertThat(Files.readString(f.stateFile)).contains("\"watermark\":\"2026-11-27T08:30:00Z\"");
        }
    }
}
