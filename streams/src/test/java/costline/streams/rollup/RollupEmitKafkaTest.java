package costline.streams.rollup;

import static costline.streams.finance.FinanceFixtures.A100;
import static costline.streams.finance.FinanceFixtures.cost;
import static org.assertj.core.api.Assertions.assertThat;

import costline.events.CostRecord;
import costline.events.MonthlyRollup;
import costline.events.RollupStatus;
import costline.events.Site;
import costline.schemas.Topics;
import costline.schemas.serde.AvroSerde;
import costline.streams.config.Settings;
import costline.streams.runtime.StreamsRunner;
import costline.testkit.InProcessKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The scheduled emit on a real broker under exactly_once_v2, across a restart onto an empty state folder (a new
 * machine), so everything the second run knows comes from the changelog: which keys changed since the last emit
 * included. Also the state layout of the build before the scheduled emit (no {@code unsent} field), restored from the
 * changelog and continued.
 */
@Timeout(240)
class RollupEmitKafkaTest {

    /** Recent event times: the topics' 7-day time retention would delete older records while the test runs. */
    static final Instant T0 = Instant.ofEpochMilli(System.currentTimeMillis() / 60_000 * 60_000 - 30 * 60_000L);
    static final String MONTH = YearMonth.from(T0.atZone(ZoneOffset.UTC)).toString();
    static InProcessKafka kafka;

    @BeforeAll
    static void start() {
        kafka = InProcessKafka.start();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    Settings settings(String prefix, String registry, String emitInterval) throws Exception {
        kafka.createTopics(1, prefix + ".cost");
        kafka.createTopics(1, Map.of("cleanup.policy", "compact"), prefix + ".rollup");
        Map<String, String> v = new HashMap<>();
        v.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        v.put("schema.registry.url", registry);
        v.put("topics.partitions", "1");
        v.put("streams.application.id.prefix", prefix);
        v.put("streams.state.dir", Files.createTempDirectory("costline-rollup-emit").toString()); // a new one each run
        v.put("streams.commit.interval.ms", "100");
        v.put("rollup.wall-clock-close", "false");
        v.put("rollup.emit-interval", emitInterval);
        v.put("rollup.input-topic", prefix + ".cost");
        v.put("rollup.output-topic", prefix + ".rollup");
        return Settings.of(v);
    }

    @Test
    void changesCountedButNotYetSentSurviveARestartOntoAnEmptyStateFolder() throws Exception {
        String prefix = "emit-" + UUID.randomUUID().toString().substring(0, 8);
        String registry = "mock://" + prefix;
        String key = MONTH + "|train|CLOUD|" + A100;
        try (StreamsRunner first = new StreamsRunner()) {
            // an emit interval the first run never reaches: the increments are counted, committed, and not sent
            first.start(settings(prefix, registry, "10m"), List.of(new RollupApp()));
            produce(prefix + ".cost", registry, 1_000_000, 2_000_000, 4_000_000);
            // committed: the changelog (read_committed) holds the key's totals, marked as not yet sent
            String state = awaitChangelog(prefix, key, s -> s.contains("\"costMicroUsd\":7000000"));
            assertThat(state).contains("\"unsent\":true");
        }
        assertThat(read(prefix + ".rollup", registry, 0, Duration.ofSeconds(2))).as("nothing was sent before the stop").isEmpty();

        try (StreamsRunner second = new StreamsRunner()) {
            second.start(settings(prefix, registry, "200ms"), List.of(new RollupApp()));
            List<MonthlyRollup> got = read(prefix + ".rollup", registry, 1, Duration.ofSeconds(90));
            // 1,000,000 + 2,000,000 + 4,000,000 micro-USD, three minutes of 45 s busy each: one record, all of it
            assertThat(got).singleElement().satisfies(r -> {
                assertThat(r.getStatus()).isEqualTo(RollupStatus.MONTH_TO_DATE);
                assertThat(r.getCostMicroUsd()).isEqualTo(7_000_000L);
                assertThat(r.getGpuMs()).isEqualTo(180_000L);
                assertThat(r.getBusyGpuMs()).isEqualTo(135_000L);
            });
            // sent once: the next emits find nothing changed
            Thread.sleep(1_000);
            assertThat(read(prefix + ".rollup", registry, 2, Duration.ofSeconds(2))).hasSize(1);
        }
    }

    @Test
    void stateOfTheBuildBeforeTheScheduledEmitIsRestoredAndContinuesExactly() throws Exception {
        String prefix = "old-" + UUID.randomUUID().toString().substring(0, 8);
        String registry = "mock://" + prefix;
        String key = MONTH + "|train|CLOUD|" + A100;
        // the changelog as the previous build wrote it (every change was sent at once, so there is no "unsent")
        kafka.createTopics(1, Map.of("cleanup.policy", "compact"), prefix + "-rollup-" + MonthlyRollupTopology.STORE + "-changelog");
        String old = "{\"month\":\"" + MONTH + "\",\"zone\":\"UTC\",\"workload\":\"train\",\"team\":\"ml\",\"site\":\"CLOUD\","
                + "\"gpuModel\":\"" + A100 + "\",\"gpuMs\":600000,\"busyGpuMs\":450000,\"costMicroUsd\":10000000,"
                + "\"idleMicroUsd\":2500000,\"energyMj\":0,\"updatedAtMs\":" + T0.minusSeconds(600).toEpochMilli()
                + ",\"closed\":false,\"revision\":0}";
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(kafka.clientProperties(), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(prefix + "-rollup-" + MonthlyRollupTopology.STORE + "-changelog",
                    key.getBytes(StandardCharsets.UTF_8), old.getBytes(StandardCharsets.UTF_8))).get();
        }
        try (StreamsRunner runner = new StreamsRunner()) {
            runner.start(settings(prefix, registry, "200ms"), List.of(new RollupApp()));
            // restored as already sent: no record until something changes
            assertThat(read(prefix + ".rollup", registry, 1, Duration.ofSeconds(5))).isEmpty();
            produce(prefix + ".cost", registry, 1_000_000, 2_000_000);
            List<MonthlyRollup> got = readUntil(prefix + ".rollup", registry, r -> r.getCostMicroUsd() == 13_000_000L);
            // $10 restored + $1 + $2 = 13,000,000 micro-USD; 10 minutes + 2 minutes of GPU time (the two increments may
            // fall into one emit interval or two: the last record holds both)
            assertThat(got).isNotEmpty().allSatisfy(r -> assertThat(r.getCostMicroUsd()).isGreaterThan(10_000_000L));
            assertThat(got.get(got.size() - 1)).satisfies(r -> {
                assertThat(r.getCostMicroUsd()).isEqualTo(13_000_000L);
                assertThat(r.getGpuMs()).isEqualTo(720_000L);
                assertThat(r.getIdleMicroUsd()).isEqualTo(2_500_000L + 250_000L + 500_000L);
                assertThat(r.getStatus()).isEqualTo(RollupStatus.MONTH_TO_DATE);
            });
        }
    }

    static void produce(String topic, String registry, long... costs) throws Exception {
        AvroSerde<CostRecord> serde = AvroSerde.forValues(registry, CostRecord.class);
        try (KafkaProducer<String, CostRecord> p = new KafkaProducer<>(kafka.clientProperties(), new StringSerializer(),
                serde.serializer())) {
            for (int i = 0; i < costs.length; i++) {
                Instant start = T0.plusSeconds(60L * i);
                CostRecord c = cost("train", "ml", Site.CLOUD, A100, start, 60_000, 45_000, costs[i], costs[i] / 4, 0);
                p.send(new ProducerRecord<>(topic, null, start.toEpochMilli(), "train", c)).get();
            }
        }
    }

    /** The latest changelog value of {@code key} once it matches {@code done} (committed records only). */
    static String awaitChangelog(String prefix, String key, Predicate<String> done) {
        Properties p = kafka.clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "check-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        String latest = null;
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(prefix + "-rollup-" + MonthlyRollupTopology.STORE + "-changelog"));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while ((latest == null || !done.test(latest)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (key.equals(r.key()) && r.value() != null) {
                        latest = new String(r.value(), StandardCharsets.UTF_8);
                    }
                }
            }
        }
        assertThat(latest).as("committed state of " + key).isNotNull().matches(done);
        return latest;
    }

    /** Committed rollups until one matches {@code last} (at most 90 s). */
    static List<MonthlyRollup> readUntil(String topic, String registry, Predicate<MonthlyRollup> last) {
        Properties p = kafka.clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "check-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<MonthlyRollup> got = new ArrayList<>();
        AvroSerde<MonthlyRollup> serde = AvroSerde.forValues(registry, MonthlyRollup.class);
        try (KafkaConsumer<String, MonthlyRollup> c = new KafkaConsumer<>(p, new StringDeserializer(), serde.deserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while ((got.isEmpty() || !last.test(got.get(got.size() - 1))) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(r -> got.add(r.value()));
            }
        }
        return got;
    }

    /** Committed rollups: waits for {@code expected} of them (at most {@code wait}), then a little longer for more. */
    static List<MonthlyRollup> read(String topic, String registry, int expected, Duration wait) {
        Properties p = kafka.clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "check-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<MonthlyRollup> got = new ArrayList<>();
        AvroSerde<MonthlyRollup> serde = AvroSerde.forValues(registry, MonthlyRollup.class);
        try (KafkaConsumer<String, MonthlyRollup> c = new KafkaConsumer<>(p, new StringDeserializer(), serde.deserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + wait.toNanos();
            while ((expected == 0 || got.size() < expected) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(r -> got.add(r.value()));
            }
            c.poll(Duration.ofMillis(500)).forEach(r -> got.add(r.value()));
        }
        return got;
    }
}
