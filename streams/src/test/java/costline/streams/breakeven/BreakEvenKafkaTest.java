package costline.streams.breakeven;

import static costline.streams.finance.FinanceFixtures.A100;
import static org.assertj.core.api.Assertions.assertThat;

import costline.events.BreakEvenRecommendation;
import costline.events.CostRecord;
import costline.events.PriceEntry;
import costline.events.Site;
import costline.schemas.Topics;
import costline.schemas.serde.AvroSerde;
import costline.streams.finance.FinanceFixtures;
import costline.streams.prices.PriceKeys;
import costline.streams.runtime.StreamsOnBroker;
import costline.testkit.InProcessKafka;
import costline.testkit.TopicRecords;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
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
        TopicRecords.send(kafka.clientProperties(), new StringSerializer(), AvroSerde.forValues(registry, PriceEntry.class).serializer(),
                List.of(new ProducerRecord<>(Topics.GPU_PRICES, PriceKeys.topicKey(price), price)));
        String appId = "costline-breakeven-" + UUID.randomUUID();
        Properties props = StreamsOnBroker.restartable(kafka, appId, stateDir);
        // many records per commit: the held minutes and scopes must reach the changelog with each commit
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "2000");

        int half = records.size() / 2;
        KafkaStreams first = new KafkaStreams(BreakEvenTopology.build(config), props);
        first.start();
        produce(registry, records.subList(0, half));
        kafka.awaitCommitted(appId, Topics.GPU_COST, half, Duration.ofSeconds(90));
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

    private static void produce(String registry, List<CostRecord> records) {
        TopicRecords.send(kafka.clientProperties(), new StringSerializer(), AvroSerde.forValues(registry, CostRecord.class).serializer(),
                records.stream().map(r -> new ProducerRecord<>(Topics.GPU_COST, null, r.getWindowEnd().toEpochMilli(), r.getWorkload(), r))
                        .toList());
    }

    /** The last committed recommendation per key, read until every expected one has arrived and nothing came for 5 s. */
    private static Map<String, BreakEvenRecommendation> readLatest(String registry, Map<String, BreakEvenRecommendation> expected,
                                                                  Duration wait) {
        List<ConsumerRecord<String, BreakEvenRecommendation>> read = TopicRecords.readUntil(kafka.clientProperties(),
                Topics.GPU_BREAKEVEN, new StringDeserializer(), AvroSerde.forValues(registry, BreakEvenRecommendation.class).deserializer(),
                got -> latest(got).entrySet().containsAll(expected.entrySet()), Duration.ofSeconds(5), wait);
        return latest(read);
    }

    private static Map<String, BreakEvenRecommendation> latest(List<ConsumerRecord<String, BreakEvenRecommendation>> records) {
        Map<String, BreakEvenRecommendation> last = new LinkedHashMap<>();
        records.forEach(r -> last.put(r.key(), r.value()));
        return last;
    }
}
