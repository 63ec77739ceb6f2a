package costline.streams.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import costline.events.CostRecord;
import costline.events.GpuSample;
import costline.events.PriceEntry;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistries;
import costline.streams.Samples;
import costline.streams.config.SettingsException;
import costline.streams.prices.PriceKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bounded state of the cost topology: energy baselines expire after {@code cost.state-retention} with tombstones in
 * the changelog and no cent moved; the cardinality guard sends the names beyond the day's limit to {@code overflow},
 * exactly, and the audit's batch fold does the same.
 *
 * <p>Prices (see {@link CostDriver}): the cloud A100 costs 45,750 micro-USD a GPU-minute from 10:02 on the
 * test day (68,271 before); the on-prem H100 3,865 micro-USD of fixed cost per 10 s, energy 280 micro-USD per
 * 6,000,000 mJ (x 1.4 PUE x $0.12/kWh).
 */
class BoundedCostStateTest {

    static final String REGISTRY = "mock://bounded-cost-test";
    static final Instant DAY = CostDriver.DAY;
    static final String APP = "bounded-cost-test";

    /** Cost apps with their wall clock two days after the test day, so samples of that day and the next are not future. */
    private final CostDriver.Instances apps = new CostDriver.Instances(APP, DAY.plus(Duration.ofDays(2)));

    private static CostSettings base() {
        return CostDriver.settings(REGISTRY);
    }

    @AfterEach
    void stop() {
        apps.close();
    }

    @Test
    void anIdleGpusEnergyBaselineExpiresWithATombstoneAndNoMicroDollarMoves() {
        // retention just above the minimum cost.dedup-window + cost.energy-max-gap = 4,200,000 ms; the scan runs
        // every tenth of it (500,000 ms of data time)
        CostSettings shortRetention = base().withBounds(5_000_000, 10_000);
        CostDriver bounded = apps.start(shortRetention);
        CostDriver unbounded = apps.start(base().withBounds(30L * 86_400_000L, 10_000));
        List<GpuSample> run = new ArrayList<>();
        // gpu-old: two counter readings, then silent for three hours; gpu-live: a reading every 10 minutes throughout
        run.add(Samples.onPrem("gpu-old", DAY.plusSeconds(10), 10_000, 50f, 600f, 1_000_000_000L).setWorkloads(Samples.shares("old", 1.0)).build());
        run.add(Samples.onPrem("gpu-old", DAY.plusSeconds(20), 10_000, 50f, 600f, 1_006_000_000L).setWorkloads(Samples.shares("old", 1.0)).build());
        for (int i = 1; i <= 20; i++) {
            run.add(Samples.onPrem("gpu-live", DAY.plusSeconds(600L * i), 10_000, 80f, 600f, 6_000_000L * i)
                    .setWorkloads(Samples.shares("live", 1.0)).build());
        }
        // gpu-old comes back 3 h 20 min later with its counter 6,000,000 mJ higher: the gap is over cost.energy-max-gap,
        // so with or without the baseline the delta is not trusted and 600 W x 10 s = 6,000,000 mJ is charged
        run.add(Samples.onPrem("gpu-old", DAY.plusSeconds(12_020), 10_000, 50f, 600f, 1_012_000_000L).setWorkloads(Samples.shares("old", 1.0)).build());
        Map<String, Long> boundedTotals = new TreeMap<>();
        Map<String, Long> unboundedTotals = new TreeMap<>();
        for (GpuSample s : run) {
            bounded.send(s);
            unbounded.send(s);
            if (s.getGpuId().equals("gpu-live") && s.getSampleTime().equals(DAY.plusSeconds(9_600))) {
                // watermark 12,000 s: gpu-old's last reading (20 s) is 11,980 s = 11,980,000 ms old, over the retention
                sum(bounded.emitted(), boundedTotals);
                sum(unbounded.emitted(), unboundedTotals);
                KeyValueStore<String, EnergyMeter.State> energy = bounded.driver.getKeyValueStore(CostTopology.ENERGY_STORE);
                assertThat(energy.get("gpu-old")).as("baseline of the GPU silent for longer than the retention").isNull();
                assertThat(energy.get("gpu-live")).as("baseline of an active GPU").isNotNull();
                assertThat(unbounded.driver.<String, EnergyMeter.State>getKeyValueStore(CostTopology.ENERGY_STORE).get("gpu-old")).isNotNull();
            }
        }
        sum(bounded.emitted(), boundedTotals);
        sum(unbounded.emitted(), unboundedTotals);
        // the same micro-dollars per workload, expiry or not; gpu-old: 3 samples x (3,865 + 280) = 12,435
        assertThat(boundedTotals).isEqualTo(unboundedTotals);
        assertThat(boundedTotals.get("old")).isEqualTo(3 * 4_145L);
        // live: 20 samples x 3,865 fixed; energy 6,000,000 mJ (first reading: power x interval) then each reading's
        // 6,000,000 mJ delta = 280 micro-USD each: 20 x 4,145 = 82,900
        assertThat(boundedTotals.get("live")).isEqualTo(20 * 4_145L);
        // the deletion reached the changelog as a tombstone (so a restore does not bring the baseline back)
        List<TestRecord<String, byte[]>> changelog = bounded.changelog(CostTopology.ENERGY_STORE);
        assertThat(changelog).anyMatch(r -> r.key().equals("gpu-old") && r.value() == null);
        assertThat(changelog).noneMatch(r -> r.key().equals("gpu-live") && r.value() == null);
        assertThat(bounded.sensorTotal("state-expired")).isGreaterThanOrEqualTo(1.0);
    }

    @Test
    void namesBeyondTheDaysLimitAreCostedToOverflowExactlyAndTheBatchFoldAgrees() {
        CostSettings cfg = base().withBounds(86_400_000L, 3);
        CostDriver app = apps.start(cfg);
        List<GpuSample> run = new ArrayList<>();
        // day 1, 10:03-10:04 (after the price cut: 45,750 a GPU-minute): five GPUs, five names; the limit is 3
        for (int g = 1; g <= 5; g++) {
            run.add(Samples.cloud("i-1/" + g, DAY.plusSeconds(240), 60_000, 100f).setWorkloads(Samples.shares("job-" + g, 1.0)).build());
        }
        // an admitted name stays admitted on another GPU, a refused one stays refused; unallocated is never counted
        run.add(Samples.cloud("i-1/6", DAY.plusSeconds(240), 60_000, 100f).setWorkloads(Samples.shares("job-2", 0.5, "job-4", 0.5)).build());
        run.add(Samples.cloud("i-1/7", DAY.plusSeconds(240), 60_000, 0f).build());
        // a duplicate of a refused name's sample: dropped, not counted twice
        run.add(run.get(4));
        // the next day a new name is admitted again
        Instant nextDay = DAY.plus(Duration.ofDays(1));
        run.add(Samples.cloud("i-1/1", nextDay.plusSeconds(60), 60_000, 100f).setWorkloads(Samples.shares("job-9", 1.0)).build());
        Map<String, Long> totals = new TreeMap<>();
        for (GpuSample s : run) {
            app.send(s);
        }
        sum(app.emitted(), totals);
        // job-1..3: 45,750 each; overflow: job-4 and job-5 whole (2 x 45,750) + job-4's half on i-1/6 (22,875) = 114,375;
        // job-2 gets its half too: 45,750 + 22,875 = 68,625; unallocated: i-1/7's whole minute = 45,750; job-9: 45,750
        assertThat(totals).containsExactlyInAnyOrderEntriesOf(Map.of("job-1", 45_750L, "job-2", 68_625L, "job-3", 45_750L,
                Topics.OVERFLOW, 114_375L, Topics.UNALLOCATED, 45_750L, "job-9", 45_750L));
        assertThat(totals.values().stream().mapToLong(Long::longValue).sum()).as("every sample's money, nothing lost")
                .isEqualTo(8 * 45_750L);
        assertThat(app.counter("overflow")).as("shares costed to overflow").isEqualTo(3);
        assertThat(app.sensorTotal("overflow")).isEqualTo(3.0);
        assertThat(app.counter("duplicates")).isEqualTo(1);

        // the audit's fold over the same records in the same order: the same workloads, the same micro-dollars
        Map<String, PriceEntry> versions = new HashMap<>();
        CostDriver.CATALOG.forEach(p -> versions.put(PriceKeys.topicKey(p), p));
        Map<String, Long> folded = new TreeMap<>();
        BatchFold fold = new BatchFold(cfg, SchemaRegistries.forUrl(REGISTRY), versions,
                (s, inc) -> folded.merge(inc.workload(), inc.costMicroUsd(), Long::sum));
        run.forEach(s -> fold.add(0, app.serialize(s)));
        assertThat(folded).isEqualTo(totals);
        assertThat(fold.overflowed()).isEqualTo(3);
    }

    @Test
    void aRetentionNotLongerThanTheWindowsThatNeedItStopsStartUp() {
        assertThatThrownBy(() -> base().withBounds(4_200_000, 10_000)).isInstanceOf(SettingsException.class)
                .hasMessageContaining("cost.state-retention").hasMessageContaining("PT1H10M");
        assertThatThrownBy(() -> base().withBounds(86_400_000, 0)).isInstanceOf(SettingsException.class)
                .hasMessageContaining("cost.max-workloads-per-site-per-day");
    }

    private static void sum(List<CostRecord> records, Map<String, Long> totals) {
        records.forEach(r -> totals.merge(r.getWorkload(), r.getCostMicroUsd(), Long::sum));
    }
}
