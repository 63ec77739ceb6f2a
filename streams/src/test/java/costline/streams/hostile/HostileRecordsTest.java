package costline.streams.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.CostRecord;
import costline.events.GpuSample;
import costline.events.MonthlyRollup;
import costline.events.Site;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroSerializer;
import costline.streams.Samples;
import costline.streams.alert.AlertConfig;
import costline.streams.alert.SpendAlertTopology;
import costline.streams.breakeven.BreakEvenConfig;
import costline.streams.breakeven.BreakEvenTopology;
import costline.streams.config.DecodedSource;
import costline.streams.drift.DriftConfig;
import costline.streams.drift.DriftTopology;
import costline.streams.finance.FinanceFixtures;
import costline.streams.rollup.MonthlyRollupTopology;
import costline.streams.rollup.RollupConfig;
import costline.schemas.serde.AvroDeserializer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * Every application that reads gpu.samples or gpu.cost (besides the cost topology, tested in CostTopologyTest) against
 * records no producer of costline writes: garbage, an unknown schema id, another event's schema, a truncated body,
 * trailing bytes, a null and an empty value. Each goes to the application's dead-letter topic once with its reason
 * and its original bytes, and the next good record is still processed. The drivers run with Streams' default
 * deserialization handler (log and fail), as {@code costline streams run} does: on the old code the first hostile
 * record failed the task.
 */
class HostileRecordsTest {

    static final Instant T = Instant.parse("2026-10-05T10:00:00Z");

    record Hostile(byte[] value, String reason) {
    }

    /** The hostile corpus for an input of type {@code good}'s class; {@code other} is a valid event of another type. */
    static List<Hostile> corpus(byte[] good, byte[] other) {
        byte[] trailing = Arrays.copyOf(good, good.length + 3);
        return List.of(
                new Hostile("hello".getBytes(StandardCharsets.UTF_8), "BAD_MAGIC_BYTE"),
                new Hostile(new byte[] {0, 0, 0, 0x27, 0x0f, 2, 4}, "UNKNOWN_SCHEMA_ID"),
                new Hostile(other, "CORRUPT_BODY"),
                new Hostile(Arrays.copyOf(good, good.length / 2), "CORRUPT_BODY"),
                new Hostile(trailing, "CORRUPT_BODY"),
                new Hostile(null, "NULL_VALUE"),
                new Hostile(new byte[0], "EMPTY_VALUE"));
    }

    static Properties props(String app) {
        Properties p = FinanceFixtures.driverProps(app + "-" + UUID.randomUUID());
        try {
            p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("costline-hostile").toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return p;
    }

    static String registry() {
        return "mock://hostile-" + UUID.randomUUID();
    }

    static byte[] cost(String registry, CostRecord c) {
        return new AvroSerializer<CostRecord>(SchemaRegistries.forUrl(registry)).serialize(Topics.GPU_COST, c);
    }

    static byte[] sample(String registry, GpuSample s) {
        return new AvroSerializer<GpuSample>(SchemaRegistries.forUrl(registry)).serialize(Topics.GPU_SAMPLES, s);
    }

    static CostRecord goodCost(String workload) {
        return FinanceFixtures.cost(workload, "ml", Site.CLOUD, FinanceFixtures.A100, T, 60_000, 45_000, 1_000_000, 250_000, 0);
    }

    /** Another event's schema on gpu.cost: a valid GpuSample. */
    static byte[] aSample(String registry) {
        return sample(registry, Samples.cloud("i-1/0", T, 60_000, 50f).build());
    }

    /** Pipes the corpus, then {@code good}; returns the dead letters, checked against the corpus. */
    static List<TestRecord<byte[], byte[]>> pipe(TopologyTestDriver driver, String topic, String dlqTopic, List<Hostile> corpus,
                                                  String goodKey, byte[] good) {
        TestInputTopic<byte[], byte[]> in = driver.createInputTopic(topic, new ByteArraySerializer(), new ByteArraySerializer());
        TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic(dlqTopic, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        for (Hostile h : corpus) {
            in.pipeInput("k".getBytes(StandardCharsets.UTF_8), h.value(), T);
        }
        in.pipeInput(goodKey.getBytes(StandardCharsets.UTF_8), good, T);
        List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).extracting(r -> header(r, Topics.DLQ_REASON_HEADER))
                .containsExactlyElementsOf(corpus.stream().map(Hostile::reason).toList());
        for (int i = 0; i < corpus.size(); i++) {
            assertThat(dead.get(i).value()).isEqualTo(corpus.get(i).value());
            assertThat(header(dead.get(i), DecodedSource.ORIGIN_HEADER)).startsWith(topic + "/0@");
            assertThat(header(dead.get(i), Topics.DLQ_DETAIL_HEADER)).isNotBlank();
        }
        return dead;
    }

    static String header(TestRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void driftDeadLettersHostileSamplesAndCostsAndKeepsRunning() {
        String registry = registry();
        Topology topology = DriftTopology.build(DriftConfig.defaults(registry));
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, props("drift"))) {
            GpuSample s = Samples.cloud("i-1/0", T, 60_000, 50f).setWorkloads(Samples.shares("llm", 1.0)).build();
            byte[] goodSample = sample(registry, s);
            pipe(driver, Topics.GPU_SAMPLES, Topics.GPU_DRIFT_DLQ, corpus(goodSample, cost(registry, goodCost("x"))), "i-1/0", goodSample);
            byte[] goodCost = cost(registry, goodCost("llm"));
            pipe(driver, Topics.GPU_COST, Topics.GPU_DRIFT_DLQ, corpus(goodCost, goodSample), "llm", goodCost);
            // the good records reached the detectors: their stores hold the GPU and the workload
            assertThat(driver.getKeyValueStore("drift-gpu-state").get("i-1/0")).isNotNull();
        }
    }

    /**
     * Samples that decode but break the cost topology's rules: drift refuses them with the cost topology's reason
     * ({@link costline.streams.cost.SampleRules}), to gpu.drift.dlq, and none reaches a detector. On the old code drift
     * took all of them (a 1e9 W reading fed the power-per-util detector, an empty GPU id got a state of its own).
     */
    @Test
    void driftRefusesWhatTheCostTopologyRefusesWithTheSameReason() {
        String registry = registry();
        Topology topology = DriftTopology.build(DriftConfig.defaults(registry));
        Instant now = Instant.now();
        List<GpuSample> bad = List.of(
                Samples.onPrem("h-1/0", now, 10_000, 50f, 1e9f, null).build(),                                   // OUT_OF_RANGE
                Samples.onPrem("h-1/1", now, 10_000, 50f, -1f, null).build(),                                    // OUT_OF_RANGE
                Samples.onPrem("h-1/2", now, 10_000, Float.NaN, 300f, null).build(),                            // OUT_OF_RANGE
                Samples.onPrem("", now, 10_000, 50f, 300f, null).build(),                                        // INVALID_NAME
                Samples.onPrem("h-1/3", now, 10_000, 50f, 300f, null).setWorkloads(Samples.shares("*fleet*", 1.0)).build(),
                Samples.onPrem("h-1/4", now, 10_000, 50f, 300f, null).setWorkloads(Samples.shares("UNALLOCATED", 1.0)).build(),
                Samples.onPrem("h-1/5", now, 10_000, 50f, 300f, null).setWorkloads(Samples.shares("d\\e\nf", 1.0)).build(),
                Samples.onPrem("h-1/6", now, 10_000, 50f, 300f, null).setWorkloads(Samples.shares("x".repeat(100_000), 1.0)).build(),
                Samples.onPrem("h-1/7", Instant.parse("2100-01-01T00:00:00Z"), 10_000, 50f, 300f, null).build(), // FUTURE
                Samples.onPrem("h-1/8", Instant.parse("1970-01-01T00:00:10Z"), 10_000, 50f, 300f, null).build(), // PAST
                Samples.onPrem("h-1/9", now, 0, 50f, 300f, null).build());                                      // OUT_OF_RANGE
        List<String> expected = List.of("OUT_OF_RANGE", "OUT_OF_RANGE", "OUT_OF_RANGE", "INVALID_NAME", "INVALID_NAME",
                "INVALID_NAME", "INVALID_NAME", "INVALID_NAME", "FUTURE_TIMESTAMP", "PAST_TIMESTAMP", "OUT_OF_RANGE");
        costline.streams.cost.CostSettings rules = costline.streams.cost.CostSettings.from(
                costline.streams.config.Settings.of(java.util.Map.of("schema.registry.url", registry)));
        // the cost topology's own verdict on each, by the one rule set
        assertThat(bad).extracting(b -> costline.streams.cost.SampleRules.check(b, now.toEpochMilli(), rules.maxIntervalMs(),
                rules.maxFutureMs(), rules.maxAgeMs()).reason().name()).containsExactlyElementsOf(expected);
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, props("drift"))) {
            TestInputTopic<byte[], byte[]> in = driver.createInputTopic(Topics.GPU_SAMPLES, new ByteArraySerializer(), new ByteArraySerializer());
            TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic(Topics.GPU_DRIFT_DLQ, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            for (GpuSample b : bad) {
                in.pipeInput(b.getGpuId().getBytes(StandardCharsets.UTF_8), sample(registry, b), b.getSampleTime());
            }
            GpuSample good = Samples.onPrem("h-2/0", now, 10_000, 50f, 300f, null).setWorkloads(Samples.shares("llm", 1.0)).build();
            in.pipeInput("h-2/0".getBytes(StandardCharsets.UTF_8), sample(registry, good), now);
            List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
            assertThat(dead).extracting(r -> header(r, Topics.DLQ_REASON_HEADER)).containsExactlyElementsOf(expected);
            var gpus = driver.getKeyValueStore("drift-gpu-state");
            for (GpuSample b : bad) {
                assertThat(gpus.get(b.getGpuId())).as(b.getGpuId()).isNull();
            }
            assertThat(gpus.get("h-2/0")).isNotNull();
        }
    }

    /** A CostRecord drift cannot count (no workload) goes to gpu.drift.dlq with the finance check's reason, as in the rollups. */
    @Test
    void driftRefusesCostRecordsTheFinanceCheckRefuses() {
        String registry = registry();
        try (TopologyTestDriver driver = new TopologyTestDriver(DriftTopology.build(DriftConfig.defaults(registry)), props("drift"))) {
            TestInputTopic<byte[], byte[]> in = driver.createInputTopic(Topics.GPU_COST, new ByteArraySerializer(), new ByteArraySerializer());
            TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic(Topics.GPU_DRIFT_DLQ, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            CostRecord noWorkload = CostRecord.newBuilder(goodCost("x")).setWorkload("").build();
            CostRecord badWindow = CostRecord.newBuilder(goodCost("x")).setWindowEnd(T).setWindowStart(T).build();
            in.pipeInput("x".getBytes(StandardCharsets.UTF_8), cost(registry, noWorkload), T);
            in.pipeInput("x".getBytes(StandardCharsets.UTF_8), cost(registry, badWindow), T);
            assertThat(dlq.readRecordsToList()).extracting(r -> header(r, Topics.DLQ_REASON_HEADER))
                    .containsExactly("NO_WORKLOAD", "BAD_WINDOW");
        }
    }

    @Test
    void rollupDeadLettersHostileCostsAndKeepsRunning() {
        String registry = registry();
        try (TopologyTestDriver driver = new TopologyTestDriver(MonthlyRollupTopology.build(RollupConfig.defaults(registry)),
                props("rollup"))) {
            byte[] good = cost(registry, goodCost("train"));
            TestOutputTopic<String, MonthlyRollup> out = driver.createOutputTopic(Topics.GPU_ROLLUP_MONTHLY,
                    new StringDeserializer(), new AvroDeserializer<>(SchemaRegistries.forUrl(registry), MonthlyRollup.class));
            pipe(driver, Topics.GPU_COST, Topics.GPU_FINANCE_DLQ, corpus(good, aSample(registry)), "train", good);
            driver.advanceWallClockTime(java.time.Duration.ofMillis(500)); // the emit interval: the month-to-date goes out
            List<MonthlyRollup> rollups = out.readValuesToList();
            assertThat(rollups).hasSize(1);
            assertThat(rollups.get(0).getCostMicroUsd()).isEqualTo(1_000_000);
        }
    }

    @Test
    void alertsDeadLetterHostileCostsAndKeepRunning() {
        String registry = registry();
        try (TopologyTestDriver driver = new TopologyTestDriver(SpendAlertTopology.build(AlertConfig.defaults(registry)),
                props("alert"))) {
            byte[] good = cost(registry, goodCost("train"));
            pipe(driver, Topics.GPU_COST, Topics.GPU_FINANCE_DLQ, corpus(good, aSample(registry)), "train", good);
            // the good record was counted: the alert's state holds its workload's month
            List<String> keys = new ArrayList<>();
            driver.getKeyValueStore(SpendAlertTopology.STORE).all().forEachRemaining(kv -> keys.add(String.valueOf(kv.key)));
            assertThat(keys).anyMatch(k -> k.contains("train"));
        }
    }

    @Test
    void breakEvenDeadLettersHostileCostsAndKeepsRunning() {
        String registry = registry();
        try (TopologyTestDriver driver = new TopologyTestDriver(BreakEvenTopology.build(BreakEvenConfig.defaults(registry)),
                props("breakeven"))) {
            byte[] good = cost(registry, goodCost("train"));
            pipe(driver, Topics.GPU_COST, Topics.GPU_FINANCE_DLQ, corpus(good, aSample(registry)), "train", good);
            List<String> keys = new ArrayList<>();
            driver.getKeyValueStore(BreakEvenTopology.SCOPES).all().forEachRemaining(kv -> keys.add(String.valueOf(kv.key)));
            assertThat(keys).anyMatch(k -> k.contains("train"));
        }
    }
}
