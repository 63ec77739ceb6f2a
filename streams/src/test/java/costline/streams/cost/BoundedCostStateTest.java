package costline.streams.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import costline.events.CostRecord;
import costline.events.GpuSample;
import costline.events.PriceEntry;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroDeserializer;
import costline.schemas.serde.AvroSerializer;
import costline.streams.Samples;
import costline.streams.config.SettingsException;
import costline.streams.prices.PriceKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bounded state of the cost topology: energy baselines expire after {@code cost.state-retention} with tombstones in
 * the changelog and no cent moved; the cardinality guard sends the names beyond the day's limit to {@code overflow},
 * exactly, and the audit's batch fold does the same.
 *
 * <p>Prices (see {@link CostTopologyTest}): the cloud A100 costs 45,750 micro-USD a GPU-minute from 10:02 on the
 * test day (68,271 before); the on-prem H100 3,865 micro-USD of fixed cost per 10 s, energy 280 micro-USD per
 * 6,000,000 mJ (x 1.4 PUE x $0.12/kWh).
 */
class BoundedCostStateTest {

    static final String REGISTRY = "mock://bounded-cost-test";
    static final Instant DAY = CostTopologyTest.DAY;
    static final String APP = "bounded-cost-test";

    private final List<TopologyTestDriver> drivers = new ArrayList<>();
    private final AvroSerializer<GpuSample> sampleSerializer = new AvroSerializer<>(SchemaRegistries.forUrl(REGISTRY));
    private final List<PriceEntry> priceList = List.of(CostTopologyTest.cloudPrice("32.77", Instant.parse("2025-01-01T00:00:00Z")),
            CostTopologyTest.cloudPrice("21.96", CostTopologyTest.PRICE_CUT), CostTopologyTest.onPremPrice());

    private static CostSettings base() {
        return new CostSettings(REGISTRY, 1000, 300_000, 3_600_000, 3_600_000, 600_000);
    }

    /** One cost app, its wall clock two days after the test day so samples of that day and the next are not future. */
    private final class App {
        final TopologyTestDriver driver;
        final TestInputTopic<byte[], byte[]> samples;
        final TestOutputTopic<String, CostRecord> cost;

        App(CostSettings cfg) {
            Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, APP);
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
            props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/costline-tt-" + UUID.randomUUID());
            driver = new TopologyTestDriver(CostTopology.build(cfg), props, DAY.plus(Duration.ofDays(2)));
            drivers.add(driver);
            TestInputTopic<String, PriceEntry> prices = driver.createInputTopic(Topics.GPU_PRICES, new StringSerializer(),
                    new AvroSerializer<PriceEntry>(SchemaRegistries.forUrl(REGISTRY)));
            priceList.forEach(p -> prices.pipeInput(PriceKeys.topicKey(p), p));
            samples = driver.createInputTopic(Topics.GPU_SAMPLES, new ByteArraySerializer(), new ByteArraySerializer());
            cost = driver.createOutputTopic(Topics.GPU_COST, new StringDeserializer(),
                    new AvroDeserializer<>(SchemaRegistries.forUrl(REGISTRY), CostRecord.class));
        }

        void send(GpuSample s) {
            samples.pipeInput(s.getGpuId().getBytes(StandardCharsets.UTF_8), sampleSerializer.serialize(Topics.GPU_SAMPLES, s),
                    s.getSampleTime());
        }

        List<CostRecord> emitted() {
            driver.advanceWallClockTime(Duration.ofSeconds(1));
            return cost.readValuesToList();
        }

        long counter(String name) {
            KeyValueStore<String, Long> counters = driver.getKeyValueStore(CostTopology.COUNTERS_STORE);
            Long v = counters.get(name);
            return v == null ? 0 : v;
        }
    }

    @AfterEach
    void stop() {
        drivers.forEach(TopologyTestDriver::close);
    }

    @Test
    void anIdleGpusEnergyBaselineExpiresWithATombstoneAndNoMicroDollarMoves() {
        // retention just above the minimum cost.dedup-window + cost.energy-max-gap = 4,200,000 ms; the scan runs
        // every tenth of it (500,000 ms of data time)
        CostSettings shortRetention = base().withBounds(5_000_000, 10_000);
        App bounded = new App(shortRetention);
        App unbounded = new App(base().withBounds(30L * 86_400_000L, 10_000));
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
        List<TestRecord<String, byte[]>> changelog = changelog(bounded, CostTopology.ENERGY_STORE);
        assertThat(changelog).anyMatch(r -> r.key().equals("gpu-old") && r.value() == null);
        assertThat(changelog).noneMatch(r -> r.key().equals("gpu-live") && r.value() == null);
        assertThat(sensorTotal(bounded, "state-expired")).isGreaterThanOrEqualTo(1.0);
    }

    @Test
    void namesBeyondTheDaysLimitAreCostedToOverflowExactlyAndTheBatchFoldAgrees() {
        CostSettings cfg = base().withBounds(86_400_000L, 3);
        App app = new App(cfg);
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
        assertThat(sensorTotal(app, "overflow")).isEqualTo(3.0);
        assertThat(app.counter("duplicates")).isEqualTo(1);

        // the audit's fold over the same records in the same order: the same workloads, the same micro-dollars
        Map<String, PriceEntry> versions = new HashMap<>();
        priceList.forEach(p -> versions.put(PriceKeys.topicKey(p), p));
        Map<String, Long> folded = new TreeMap<>();
        BatchFold fold = new BatchFold(cfg, SchemaRegistries.forUrl(REGISTRY), versions,
                (s, inc) -> folded.merge(inc.workload(), inc.costMicroUsd(), Long::sum));
        run.forEach(s -> fold.add(0, sampleSerializer.serialize(Topics.GPU_SAMPLES, s)));
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

    private static List<TestRecord<String, byte[]>> changelog(App app, String store) {
        return app.driver.createOutputTopic(APP + "-" + store + "-changelog", new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer()).readRecordsToList();
    }

    private static double sensorTotal(App app, String operation) {
        return app.driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(operation + "-total") && e.getKey().group().contains("costline-cost"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }
}
