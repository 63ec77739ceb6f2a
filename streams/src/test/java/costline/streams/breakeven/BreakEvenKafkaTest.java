package costline.streams.breakeven;

import static costline.streams.finance.FinanceFixtures.A100;
import static org.assertj.core.api.Assertions.assertThat;

import costline.events.BreakEvenRecommendation;
import costline.events.CostRecord;
import costline.events.PriceEntry;
import costline.events.Site;
import costline.schemas.Topics;
import costline.schemas.serde.AvroSerde;
import costline.streams.drift.DriftTopology;
import costline.streams.finance.FinanceFixtures;
import costline.streams.prices.PriceKeys;
import costline.testkit.InProcessKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.PunctuationType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The break-even application on a real broker under exactly_once_v2 with a long commit interval, so the processor
 * sums many records' demand minutes and scopes in memory before each commit (PendingDemand, the ScopeSeen
 * StateCache), and a restart in the middle that wipes the local state (only what was committed to the changelogs
 * survives). Its last recommendation per scope must be the one the topology test driver computes from the same
 * records one at a time (it commits after every record, so nothing is ever held there).
 */
@Timeout(300)
class BreakEvenKafkaTest {

    /** Recent event times: the broker's 7-day retention would delete older records while the test runs. */
    private static final Instant T0 = Instant.ofEpochMilli((System.currentTimeMillis() - 3 * 86_400_000L) / 3_600_000L * 3_600_000L);
    static InProcessKafka kafka;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void start() {
        kafka = InProcessKafka.start();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    /** {@code gpus} cloud A100s over [start, start + minutes) at $4 per GPU-hour, as one record. */
    static CostRecord use(String workload, Instant start, int minutes, long gpuMsPerMinute) {
        long gpuMs = gpuMsPerMinute * minutes;
        return CostRecord.newBuilder().setWorkload(workload).setTeam("ml").setSite(Site.CLOUD).setGpuModel(A100)
                .setWindowStart(start).setWindowEnd(start.plusSeconds(60L * minutes)).setGpuMs(gpuMs).setBusyGpuMs(gpuMs)
                .setCostMicroUsd(gpuMs * 4_000_000L / 3_600_000L).setIdleMicroUsd(0).setEnergyMj(0).setSamples(1).build();
    }

    /**
     * A day and a half: a steady 4-GPU service in 10-minute records, a nightly 8-GPU job in one-minute records, and an
     * hour of a job whose five GPUs each report every minute (five records per workload minute, more per fleet minute).
     */
    static List<CostRecord> records() {
        List<CostRecord> all = new ArrayList<>();
        for (int m = 0; m < 36 * 60; m++) {
            Instant minute = T0.plusSeconds(60L * m);
            if (m % 10 == 0) {
                all.add(use("serving", minute, 10, 4 * 60_000L));
            }
            if (m % (24 * 60) < 120) {
                all.add(use("nightly", minute, 1, 8 * 60_000L));
            }
            if (m >= 600 && m < 660) {
                for (int g = 0; g < 5; g++) {
                    all.add(use("burst", minute, 1, 60_000L - 1_000L * g));
                }
            }
        }
        // an hour later: stream time passes the last interval, so every scope is computed over all of the above
        all.add(use("tick", T0.plusSeconds(60L * (37 * 60 + 5)), 1, 60_000L));
        return all;
    }

    @Test
    void summedMinutesAndARestartThatLostTheLocalStateGiveTheSameRecommendations() throws Exception {
        String registry = "mock://breakeven-kafka-" + UUID.randomUUID();
        BreakEvenConfig config = BreakEvenConfig.defaults(registry).with(Duration.ofDays(1), PunctuationType.STREAM_TIME)
                .withMinHistory(Duration.ofHours(6));
        List<CostRecord> records = records();
        Map<String, BreakEvenRecommendation> expected = reference(config, records);
        expected.remove("tick|" + A100);
        assertThat(expected).containsKeys("serving|" + A100, "nightly|" + A100, "burst|" + A100, "*fleet*|" + A100);

        kafka.createTopics(1, Topics.GPU_COST, Topics.GPU_BREAKEVEN);
        kafka.createTopics(1, Map.of("cleanup.policy", "compact"), Topics.GPU_PRICES);
        PriceEntry price = FinanceFixtures.onPremA100(A100, 0);
        try (KafkaProducer<String, PriceEntry> p = producer(registry, PriceEntry.class)) {
            p.send(new ProducerRecord<>(Topics.GPU_PRICES, PriceKeys.topicKey(price), price)).get();
        }
        String appId = "costline-breakeven-" + UUID.randomUUID();
        Properties props = DriftTopology.streamsProperties(appId, kafka.bootstrapServers(), stateDir.toString());
        props.putAll(kafka.clientProperties());
        // many records per commit: the held minutes and scopes must reach the changelog with each commit
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "2000");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "6000");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), "1000");

        int half = records.size() / 2;
        KafkaStreams first = new KafkaStreams(BreakEvenTopology.build(config), props);
        first.start();
        produce(registry, records.subList(0, half));
        awaitCommitted(appId, half);
        first.close(Duration.ofSeconds(30));
        first.cleanUp(); // the local state is gone: only the changelogs have the minutes and scopes

        KafkaStreams second = new KafkaStreams(BreakEvenTopology.build(config), props);
        second.start();
        try {
            produce(registry, records.subList(half, records.size()));
            Map<String, BreakEvenRecommendation> got = readLatest(registry, expected, Duration.ofSeconds(60));
            for (String k : expected.keySet()) {
                assertThat(got.get(k)).as(k).isEqualTo(expected.get(k));
            }
            // (the tick's own scope is left out: when the punctuation it triggers sees it differs between the driver and a broker)
            got.remove("tick|" + A100);
            assertThat(got.keySet()).isEqualTo(expected.keySet());
        } finally {
            second.close(Duration.ofSeconds(30));
        }
    }

    /** The last recommendation per scope when the test driver processes the records one at a time. */
    private static Map<String, BreakEvenRecommendation> reference(BreakEvenConfig config, List<CostRecord> records) {
        try (TopologyTestDriver driver = new TopologyTestDriver(BreakEvenTopology.build(config),
                FinanceFixtures.driverProps("breakeven-reference"), T0)) {
            TestInputTopic<String, PriceEntry> prices = driver.createInputTopic(Topics.GPU_PRICES,
                    Serdes.String().serializer(), AvroSerde.forValues(config.registryUrl(), PriceEntry.class).serializer());
            PriceEntry p = FinanceFixtures.onPremA100(A100, 0);
            prices.pipeInput(PriceKeys.topicKey(p), p);
            TestInputTopic<String, CostRecord> costs = driver.createInputTopic(Topics.GPU_COST, Serdes.String().serializer(),
                    AvroSerde.forValues(config.registryUrl(), CostRecord.class).serializer());
            for (CostRecord r : records) {
                costs.pipeInput(r.getWorkload(), r, r.getWindowEnd());
            }
            TestOutputTopic<String, BreakEvenRecommendation> out = driver.createOutputTopic(Topics.GPU_BREAKEVEN,
                    Serdes.String().deserializer(),
                    AvroSerde.forValues(config.registryUrl(), BreakEvenRecommendation.class).deserializer());
            Map<String, BreakEvenRecommendation> last = new LinkedHashMap<>();
            out.readKeyValuesToList().forEach(kv -> last.put(kv.key, kv.value));
            return last;
        }
    }

    private static <V extends org.apache.avro.specific.SpecificRecord> KafkaProducer<String, V> producer(String registry, Class<V> type) {
        Properties p = kafka.clientProperties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return new KafkaProducer<>(p, new StringSerializer(), AvroSerde.forValues(registry, type).serializer());
    }

    private static void produce(String registry, List<CostRecord> records) throws Exception {
        try (KafkaProducer<String, CostRecord> producer = producer(registry, CostRecord.class)) {
            for (CostRecord r : records) {
                producer.send(new ProducerRecord<>(Topics.GPU_COST, null, r.getWindowEnd().toEpochMilli(), r.getWorkload(), r));
            }
            producer.flush();
        }
    }

    /** Waits until the application has committed past {@code count} records of gpu.cost. */
    private static void awaitCommitted(String appId, long count) throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            long deadline = System.currentTimeMillis() + 90_000;
            while (System.currentTimeMillis() < deadline) {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get();
                long total = committed.entrySet().stream()
                        .filter(e -> e.getKey().topic().equals(Topics.GPU_COST) && e.getValue() != null)
                        .mapToLong(e -> e.getValue().offset()).sum();
                if (total >= count) {
                    return;
                }
                Thread.sleep(200);
            }
        }
        throw new AssertionError("the break-even application did not commit " + count + " records in 90 s");
    }

    /** The last committed recommendation per key, read until every expected one has arrived and nothing came for 5 s. */
    private static Map<String, BreakEvenRecommendation> readLatest(String registry, Map<String, BreakEvenRecommendation> expected,
                                                                  Duration wait) {
        Properties p = kafka.clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "breakeven-reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, BreakEvenRecommendation> last = new LinkedHashMap<>();
        try (KafkaConsumer<String, BreakEvenRecommendation> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                AvroSerde.forValues(registry, BreakEvenRecommendation.class).deserializer())) {
            consumer.subscribe(List.of(Topics.GPU_BREAKEVEN));
            long deadline = System.currentTimeMillis() + wait.toMillis();
            long quietUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<String, BreakEvenRecommendation> rec : consumer.poll(Duration.ofMillis(200))) {
                    last.put(rec.key(), rec.value());
                }
                boolean all = expected.entrySet().stream().allMatch(e -> e.getValue().equals(last.get(e.getKey())));
                if (all && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.currentTimeMillis() + 5_000;
                }
            }
        }
        return last;
    }
}
