package costline.streams.cost;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.CostRecord;
import costline.events.GpuSample;
import costline.events.OnPremPrice;
import costline.events.OwnedGpu;
import costline.events.PriceEntry;
import costline.events.Site;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroDeserializer;
import costline.schemas.serde.AvroSerializer;
import costline.streams.Samples;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Settings;
import costline.streams.prices.PriceKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Owned GPUs cost money by the calendar (defect 4): the inventory on gpu.inventory, hours closing on the wall clock
 * 15 minutes after their end, the fixed cost no sample charged in the reserved workload {@code unobserved}.
 *
 * <p>Price used throughout: onprem:NVIDIA H100 80GB HBM3, capex $17,520 per GPU, no residual, 12 months, ops $8,760 a
 * year, so the fixed rate is 17,520,000,000 / (12 x 730) = 2,000,000 + 8,760,000,000 / 8,760 = 1,000,000, i.e.
 * 3,000,000 micro-USD ($3.00) per GPU-hour. A 10-minute sample's fixed cost: 3,000,000 x 600,000 / 3,600,000 = 500,000
 * exactly. The samples carry no power reading, so they charge no energy: every dollar here is fixed cost.
 */
class InventoryAccrualTest {

    static final String REGISTRY = "mock://inventory-accrual-test";
    static final Instant DAY = Instant.parse("2026-11-27T10:00:00Z");
    static final long HOUR = 3_600_000L;

    private TopologyTestDriver driver;
    private Instant clock;
    private TestInputTopic<byte[], byte[]> samples;
    private TestInputTopic<String, PriceEntry> prices;
    private TestInputTopic<byte[], byte[]> inventory;
    private TestOutputTopic<String, CostRecord> cost;
    private TestOutputTopic<byte[], byte[]> inventoryDlq;
    private final AvroSerializer<GpuSample> sampleSerializer = new AvroSerializer<>(SchemaRegistries.forUrl(REGISTRY));
    private final AvroSerializer<OwnedGpu> gpuSerializer = new AvroSerializer<>(SchemaRegistries.forUrl(REGISTRY));
    private final List<CostRecord> out = new ArrayList<>();

    @BeforeEach
    void start() {
        start(false);
    }

    private void start(boolean streamTime) {
        CostSettings cfg = CostSettings.from(Settings.of(Map.of(KafkaSettings.REGISTRY_URL.key(), REGISTRY,
                CostSettings.EMIT_INTERVAL.key(), "1s", CostSettings.UNOBSERVED_CLOCK.key(), streamTime ? "STREAM_TIME" : "WALL_CLOCK")));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "inventory-test-" + UUID.randomUUID());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/costline-inv-" + UUID.randomUUID());
        clock = DAY;
        driver = new TopologyTestDriver(CostTopology.build(cfg), props, clock);
        prices = driver.createInputTopic(Topics.GPU_PRICES, new StringSerializer(), new AvroSerializer<PriceEntry>(SchemaRegistries.forUrl(REGISTRY)));
        price(Instant.parse("2025-01-01T00:00:00Z"), 17_520_000_000L);
        samples = driver.createInputTopic(Topics.GPU_SAMPLES, new ByteArraySerializer(), new ByteArraySerializer());
        inventory = driver.createInputTopic(Topics.GPU_INVENTORY, new ByteArraySerializer(), new ByteArraySerializer());
        cost = driver.createOutputTopic(Topics.GPU_COST, new StringDeserializer(), new AvroDeserializer<>(SchemaRegistries.forUrl(REGISTRY), CostRecord.class));
        inventoryDlq = driver.createOutputTopic(Topics.GPU_INVENTORY_DLQ, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void aTwoHourCollectorGapStillCostsHoursTimesRateAndShowsAsUnobserved() {
        own("GPU-A", DAY, null);
        // 10-minute samples 10:00-11:00 and 13:00-14:00; the collector is down 11:00-13:00. Each arrives on time.
        for (int m = 10; m <= 240; m += 10) {
            if (m <= 60 || m > 180) {
                at(DAY.plusSeconds(m * 60L));
                send(sample("GPU-A", DAY.plusSeconds(m * 60L), 600_000));
            }
        }
        at(DAY.plusSeconds(4 * 3600 + 15 * 60)); // 14:15: the hour 13-14 closes
        // llm: 12 samples x 500,000 = 6,000,000. Hours 10 and 13 are fully sampled: 3,000,000 - 6 x 500,000 = 0, no
        // increment. Hours 11 and 12 had no sample: 3,000,000 each to unobserved, with their 3,600,000 GPU-ms.
        assertThat(sum("llm")).isEqualTo(6_000_000);
        assertThat(unobservedByHour()).containsExactly(
                hourRow(DAY.plusMillis(HOUR), 3_000_000, HOUR), hourRow(DAY.plusMillis(2 * HOUR), 3_000_000, HOUR));
        // The old code charged only the 12 samples: $6.00. Four hours in service x $3.00 = $12.00, to the micro-dollar.
        assertThat(sum("llm") + sum(Topics.UNOBSERVED)).isEqualTo(4 * 3_000_000);
        CostRecord gap = out.stream().filter(r -> r.getWorkload().equals(Topics.UNOBSERVED)).findFirst().orElseThrow();
        assertThat(gap.getSite()).isEqualTo(Site.ONPREM);
        assertThat(gap.getGpuModel()).isEqualTo(Samples.H100_MODEL);
        assertThat(gap.getTeam()).isNull();
        assertThat(gap.getBusyGpuMs()).isZero();
        assertThat(gap.getIdleMicroUsd()).isEqualTo(gap.getCostMicroUsd());
    }

    @Test
    void aLateSampleInAClosedHourMovesItsShareBackFromUnobserved() {
        own("GPU-A", DAY, null);
        at(DAY.plusSeconds(3600 + 15 * 60)); // 11:15: hour 10-11 closes with no sample: 3,000,000 unobserved
        assertThat(sum(Topics.UNOBSERVED)).isEqualTo(3_000_000);
        at(DAY.plusSeconds(3600 + 20 * 60));
        int before = out.size();
        send(sample("GPU-A", DAY.plusSeconds(30 * 60), 600_000)); // 10:20-10:30, arrives at 11:20
        flush();
        // llm +500,000; unobserved -500,000 in the hour's first minute, with -600,000 GPU-ms: 2,500,000 left there.
        assertThat(sum("llm")).isEqualTo(500_000);
        CostRecord moved = out.subList(before, out.size()).stream().filter(r -> r.getWorkload().equals(Topics.UNOBSERVED))
                .findFirst().orElseThrow();
        assertThat(moved.getCostMicroUsd()).isEqualTo(-500_000);
        assertThat(moved.getGpuMs()).isEqualTo(-600_000);
        assertThat(moved.getWindowStart()).isEqualTo(DAY);
        assertThat(sum(Topics.UNOBSERVED)).isEqualTo(2_500_000);
        assertThat(sum("llm") + sum(Topics.UNOBSERVED)).isEqualTo(3_000_000);
    }

    @Test
    void aGpuThatNeverSamplesCostsItsHoursAndStopsAtRetirement() {
        // In service 10:00, retired 12:30, never sampled: 2 x 3,000,000 + 30 min at 3,000,000/h = 1,500,000:
        // 7,500,000 in all, with 2.5 h of GPU time; nothing after 12:30 however far the clock goes.
        own("GPU-B", DAY, DAY.plusSeconds(2 * 3600 + 1800));
        at(DAY.plusSeconds(6 * 3600));
        assertThat(unobservedByHour()).containsExactly(hourRow(DAY, 3_000_000, HOUR),
                hourRow(DAY.plusMillis(HOUR), 3_000_000, HOUR), hourRow(DAY.plusMillis(2 * HOUR), 1_500_000, HOUR / 2));
        at(DAY.plusSeconds(12 * 3600));
        assertThat(sum(Topics.UNOBSERVED)).isEqualTo(7_500_000);
    }

    @Test
    void aPriceChangeMidHourCutsTheHourAndTheSampleAtIt() {
        // From 10:30 capex $35,040: 35,040,000,000 / 8,760 = 4,000,000 + ops 1,000,000 = 5,000,000 micro-USD per hour.
        price(DAY.plusSeconds(1800), 35_040_000_000L);
        own("GPU-A", DAY, null);
        at(DAY.plusSeconds(35 * 60));
        // 10:25-10:35 spans the change: 5 min at 3,000,000/h = 250,000 + 5 min at 5,000,000/h = 416,666.67 -> 416,667.
        send(sample("GPU-A", DAY.plusSeconds(35 * 60), 600_000));
        at(DAY.plusSeconds(3600 + 15 * 60));
        // The hour: 30 min x 3,000,000/h + 30 min x 5,000,000/h = 1,500,000 + 2,500,000 = 4,000,000;
        // unobserved = 4,000,000 - 666,667 = 3,333,333.
        assertThat(sum("llm")).isEqualTo(666_667);
        assertThat(sum(Topics.UNOBSERVED)).isEqualTo(3_333_333);
        assertThat(sum("llm") + sum(Topics.UNOBSERVED)).isEqualTo(4_000_000);
    }

    @Test
    void badEntriesGoToTheDeadLetterTopicAndATombstoneRemovesTheGpu() {
        own("GPU-C", DAY, null);
        // refused: the previous entry stays in force
        OwnedGpu retiredBeforeService = gpu("GPU-C", DAY, DAY.minusSeconds(1));
        inventory.pipeInput(bytes("GPU-C"), gpuSerializer.serialize(Topics.GPU_INVENTORY, retiredBeforeService));
        inventory.pipeInput(bytes("GPU-X"), gpuSerializer.serialize(Topics.GPU_INVENTORY, gpu("GPU-C", DAY, null)));
        inventory.pipeInput(bytes("GPU-D"), gpuSerializer.serialize(Topics.GPU_INVENTORY,
                OwnedGpu.newBuilder(gpu("GPU-D", DAY, null)).setSite(Site.CLOUD).build()));
        inventory.pipeInput(bytes("=cmd"), gpuSerializer.serialize(Topics.GPU_INVENTORY, gpu("=cmd", DAY, null)));
        inventory.pipeInput(bytes("GPU-E"), new byte[] {0, 0, 0, 0, 1, 9, 9, 9});
        inventory.pipeInput(bytes("GPU-F"), new byte[] {7});
        List<TestRecord<byte[], byte[]>> dead = inventoryDlq.readRecordsToList();
        assertThat(dead).extracting(r -> new String(r.headers().lastHeader(Topics.DLQ_REASON_HEADER).value(), StandardCharsets.UTF_8))
                .containsExactly("BAD_DATES", "KEY_MISMATCH", "NOT_ONPREM", "INVALID_NAME", "CORRUPT_BODY", "BAD_MAGIC_BYTE");
        assertThat(dead.get(0).value()).isEqualTo(gpuSerializer.serialize(Topics.GPU_INVENTORY, retiredBeforeService));
        assertThat(dead.get(1).headers().lastHeader(Topics.DLQ_DETAIL_HEADER)).isNotNull();

        at(DAY.plusSeconds(3600 + 15 * 60)); // hour 10 closes: 3,000,000
        assertThat(sum(Topics.UNOBSERVED)).isEqualTo(3_000_000);
        inventory.pipeInput(bytes("GPU-C"), (byte[]) null); // removed at 11:15: hour 11 and later no longer accrue
        at(DAY.plusSeconds(5 * 3600));
        assertThat(sum(Topics.UNOBSERVED)).isEqualTo(3_000_000);
        // its samples cost what they always did (500,000 for 10 minutes), nothing moves
        send(sample("GPU-C", DAY.plusSeconds(5 * 3600), 600_000));
        flush();
        assertThat(sum("llm")).isEqualTo(500_000);
        assertThat(sum(Topics.UNOBSERVED)).isEqualTo(3_000_000);
    }

    @Test
    void onStreamTimeHoursCloseAsTheSamplesTimePassesNotTheWallClock() {
        driver.close();
        out.clear();
        start(true); // cost.unobserved-clock=STREAM_TIME
        own("GPU-B", DAY, null); // never samples
        at(DAY.plusSeconds(10 * 3600));
        assertThat(sum(Topics.UNOBSERVED)).as("the wall clock alone closes nothing").isZero();
        // another GPU of the partition samples up to 12:15: stream time closes hours 10 and 11, 3,000,000 each
        send(sample("GPU-Z", DAY.plusSeconds(2 * 3600 + 15 * 60), 600_000));
        flush();
        assertThat(unobservedByHour()).containsExactly(hourRow(DAY, 3_000_000, HOUR), hourRow(DAY.plusMillis(HOUR), 3_000_000, HOUR));
    }

    @Test
    void aGpuNotInTheInventoryCostsPerSampleAsBefore() {
        at(DAY.plusSeconds(600));
        send(sample("GPU-Z", DAY.plusSeconds(600), 600_000));
        at(DAY.plusSeconds(5 * 3600));
        assertThat(sum("llm")).isEqualTo(500_000);
        assertThat(sum(Topics.UNOBSERVED)).isZero();
    }

    // ---- helpers ----

    private record Row(Instant windowStart, long costMicroUsd, long gpuMs) {
    }

    private static Row hourRow(Instant start, long microUsd, long gpuMs) {
        return new Row(start, microUsd, gpuMs);
    }

    /** Unobserved increments summed per window, in time order. */
    private List<Row> unobservedByHour() {
        flush();
        java.util.TreeMap<Instant, long[]> byStart = new java.util.TreeMap<>();
        out.stream().filter(r -> r.getWorkload().equals(Topics.UNOBSERVED)).forEach(r -> {
            long[] v = byStart.computeIfAbsent(r.getWindowStart(), k -> new long[2]);
            v[0] += r.getCostMicroUsd();
            v[1] += r.getGpuMs();
        });
        List<Row> rows = new ArrayList<>();
        byStart.forEach((k, v) -> rows.add(new Row(k, v[0], v[1])));
        return rows;
    }

    private long sum(String workload) {
        flush();
        return out.stream().filter(r -> r.getWorkload().equals(workload)).mapToLong(CostRecord::getCostMicroUsd).sum();
    }

    private void flush() {
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        clock = clock.plusSeconds(1);
        out.addAll(cost.readValuesToList());
    }

    /** Moves the wall clock to {@code t} in steps of at most 10 minutes: several punctuations per hour, as a running topology has. */
    private void at(Instant t) {
        while (clock.isBefore(t)) {
            Duration step = Duration.between(clock, t);
            if (step.compareTo(Duration.ofMinutes(10)) > 0) {
                step = Duration.ofMinutes(10);
            }
            driver.advanceWallClockTime(step);
            clock = clock.plus(step);
        }
        out.addAll(cost.readValuesToList());
    }

    private void own(String gpuId, Instant inService, Instant retired) {
        inventory.pipeInput(bytes(gpuId), gpuSerializer.serialize(Topics.GPU_INVENTORY, gpu(gpuId, inService, retired)));
    }

    private static OwnedGpu gpu(String gpuId, Instant inService, Instant retired) {
        return OwnedGpu.newBuilder().setGpuId(gpuId).setHost("gpu-node-07").setSite(Site.ONPREM).setGpuModel(Samples.H100_MODEL)
                .setInServiceFrom(inService).setRetiredAt(retired).setReference(null).build();
    }

    private static GpuSample sample(String gpuId, Instant end, long intervalMs) {
        return Samples.onPrem(gpuId, end, intervalMs, 80f, null, null).setWorkloads(Samples.shares("llm", 1.0)).build();
    }

    private void send(GpuSample s) {
        samples.pipeInput(bytes(s.getGpuId()), sampleSerializer.serialize(Topics.GPU_SAMPLES, s), s.getSampleTime());
    }

    private void price(Instant from, long capexMicroUsd) {
        PriceEntry p = PriceEntry.newBuilder().setPriceKey(PriceKeys.onPrem(Samples.H100_MODEL)).setSite(Site.ONPREM)
                .setGpuModel(Samples.H100_MODEL).setEffectiveFrom(from).setCloudPrice(null)
                .setOnprem(OnPremPrice.newBuilder().setCapexPerGpuMicroUsd(capexMicroUsd).setResidualPerGpuMicroUsd(0)
                        .setAmortizationMonths(12).setYearlyOpsPerGpuMicroUsd(8_760_000_000L).setPue(1.5)
                        .setEnergyMicroUsdPerKwh(100_000).build())
                .build();
        prices.pipeInput(PriceKeys.topicKey(p), p);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
