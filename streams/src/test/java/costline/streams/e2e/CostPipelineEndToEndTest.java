package costline.streams.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import costline.testkit.TestCatalog;
import costline.events.GpuSample;
import costline.events.PriceEntry;
import costline.pricing.CostModel;
import costline.schemas.Topics;
import costline.schemas.registry.InProcessSchemaRegistryServer;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroSerializer;
import costline.streams.Samples;
import costline.streams.config.InfluxSettings;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Settings;
import costline.streams.runtime.StreamsRunner;
import costline.streams.cost.CostApp;
import costline.streams.prices.PriceCatalog;
import costline.streams.prices.PricesLoader;
import costline.streams.sink.InfluxSink;
import costline.streams.sink.QuestDbTables;
import costline.embedded.EmbeddedQuestDb;
import costline.testkit.InProcessKafka;
import costline.testkit.StoreQueries;
import costline.testkit.TopicRecords;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path on real parts: an in-process Kafka broker, the in-process schema registry over HTTP, the price
 * catalog loaded by the loader, the cost topology under exactly_once_v2, and the sink writing with
 * influxdb-client-java to an embedded QuestDB, which is stopped while samples keep coming and started again.
 * Totals read back by SQL must be the exact expected amounts.
 */
class CostPipelineEndToEndTest {

    private static final String CATALOG = TestCatalog.YAML;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void costsReachTheStoreExactlyAndAStoreOutageLosesNothing(@TempDir Path tmp) throws Exception {
        try (InProcessKafka kafka = InProcessKafka.start();
             InProcessSchemaRegistryServer registry = InProcessSchemaRegistryServer.start(0)) {
            kafka.createTopics(3, Topics.GPU_SAMPLES, Topics.GPU_COST, Topics.GPU_SAMPLES_DLQ, Topics.GPU_SINK_DLQ);
            kafka.createTopics(1, PricesLoader.TOPIC_CONFIG, Topics.GPU_PRICES);
            Path catalog = Files.writeString(tmp.resolve("catalog.yaml"), CATALOG);
            List<PriceEntry> prices = PriceCatalog.read(catalog);
            PricesLoader.load(kafka.clientProperties(), registry.url(), prices);

            Path storeDir = tmp.resolve("questdb");
            EmbeddedQuestDb store = EmbeddedQuestDb.start(storeDir);
            // InfluxDB keeps one value per series and time; these tables de-duplicate the same way, so redelivered
            // points overwrite here as they do in production.
            QuestDbTables.ddl().forEach(store::sql);

            Map<String, String> values = new HashMap<>();
            values.put(KafkaSettings.BOOTSTRAP.key(), kafka.bootstrapServers());
            values.put(KafkaSettings.REGISTRY_URL.key(), registry.url());
            values.put(KafkaSettings.STATE_DIR.key(), tmp.resolve("state").toString());
            values.put("streams.application.id.prefix", "e2e");
            values.put("cost.emit-interval", "200ms");
            values.put("topics.partitions", "3");
            values.put("influx.url", store.url());
            values.put("influx.token", "unused-by-questdb");
            values.put("sink.topics", Topics.GPU_COST + "," + Topics.GPU_SAMPLES);
            values.put("sink.retry-initial", "100ms");
            values.put("sink.retry-max", "1000ms");
            values.put("sink.poll-timeout", "100ms");
            Settings settings = Settings.of(values);

            InfluxSink sink = new InfluxSink(KafkaSettings.clientProperties(settings), registry.url(), InfluxSettings.from(settings));
            Thread sinkThread = new Thread(sink::run, "influx-sink");
            try (StreamsRunner runner = new StreamsRunner()) {
                runner.start(settings, List.of(new CostApp()));
                awaitRunning(runner.streams().get(0));
                sinkThread.start();

                Properties p = kafka.clientProperties();
                p.put(ProducerConfig.ACKS_CONFIG, "all");
                AvroSerializer<GpuSample> ser = new AvroSerializer<>(SchemaRegistries.forUrl(registry.url()));
                Instant t0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES).minus(Duration.ofMinutes(40));
                List<GpuSample> first = new ArrayList<>();
                List<GpuSample> second = new ArrayList<>();
                for (int i = 1; i <= 20; i++) {
                    // Cloud: 4 GPUs, 60-s periods; each period costs 45,750 micro-USD (21,960,000 x 60,000 / 28,800,000).
                    for (int g = 0; g < 4; g++) {
                        (i <= 10 ? first : second).add(Samples.cloud("i-e2e/" + g, t0.plusSeconds(60L * i), 60_000, 50f)
                                .setWorkloads(Samples.shares("llm", 0.75, "eval", 0.25)).build());
                    }
                    // On-prem: 2 H100s, 10-s samples at 600 W: 3,865 fixed + 280 energy = 4,145 micro-USD each.
                    for (int g = 0; g < 2; g++) {
                        (i <= 10 ? first : second).add(Samples.onPrem("GPU-e2e-" + g, t0.plusSeconds(10L * i), 10_000, 50f, 600f, null)
                                .setWorkloads(Samples.shares("train", 1.0)).build());
                    }
                }
                try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                        new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                    send(producer, ser, first);
                    // One sample that cannot be costed goes to the dead-letter topic, not to the store.
                    producer.send(new ProducerRecord<>(Topics.GPU_SAMPLES, "junk", "junk".getBytes(StandardCharsets.UTF_8))).get();
                    StoreQueries.awaitLong(store, "SELECT count() FROM gpu_sample", 60, Duration.ofSeconds(60));

                    store.close();
                    send(producer, ser, second);
                    // Redelivery: the same samples again are duplicates for the topology (dropped), not new cost.
                    send(producer, ser, first.subList(0, 6));
                    Thread.sleep(3_000);
                    assertThat(sink.writeRetries()).as("the sink retried while the store was down").isPositive();
                    store = EmbeddedQuestDb.start(storeDir, store.port());
                }

                long cloudTotal = 80 * 45_750L;   // 3,660,000
                long onPremTotal = 40 * 4_145L;   //   165,800
                // llm 0.75 x 45,750 = 34,312.5 -> 34,313 (first of the tied remainders), eval 11,437, per period.
                StoreQueries.awaitLong(store, "SELECT count() FROM gpu_sample", 120, Duration.ofSeconds(60));
                StoreQueries.awaitMicro(store, "SELECT sum(cost_usd) FROM gpu_cost", cloudTotal + onPremTotal, Duration.ofSeconds(60));
                assertThat(StoreQueries.micro(store, "SELECT sum(cost_usd) FROM gpu_cost WHERE workload = 'llm'")).isEqualTo(80 * 34_313L);
                assertThat(StoreQueries.micro(store, "SELECT sum(cost_usd) FROM gpu_cost WHERE workload = 'eval'")).isEqualTo(80 * 11_437L);
                assertThat(StoreQueries.micro(store, "SELECT sum(cost_usd) FROM gpu_cost WHERE workload = 'train'")).isEqualTo(onPremTotal);
                BigDecimal dollars = BigDecimal.valueOf(StoreQueries.scalar(store, "SELECT sum(cost_usd) FROM gpu_cost").doubleValue())
                        .setScale(2, RoundingMode.HALF_EVEN);
                assertThat(dollars).isEqualTo(CostModel.toDollarsCents(cloudTotal + onPremTotal)).isEqualByComparingTo("3.83");
                assertThat(StoreQueries.scalar(store, "SELECT sum(gpu_seconds) FROM gpu_cost").longValue()).isEqualTo(80 * 60 + 40 * 10);
                assertThat(StoreQueries.scalar(store, "SELECT sum(energy_kwh) FROM gpu_cost").doubleValue())
                        .isCloseTo(40 * 6_000_000 / 3.6e9, org.assertj.core.api.Assertions.within(1e-12));
                // The junk record is on gpu.samples, which the sink writes too: it cannot decode it either, so it goes to
                // the sink's dead-letter topic (and, from the topology, to gpu.samples.dlq), never to the store.
                assertThat(sink.deadLettered()).isEqualTo(1);
                assertThat(countRecords(kafka, Topics.GPU_SAMPLES_DLQ)).isEqualTo(1);
                assertThat(countRecords(kafka, Topics.GPU_SINK_DLQ)).isEqualTo(1);
            } finally {
                sink.close();
                sinkThread.join(20_000);
                sink.release();
                store.close();
            }
        }
    }

    private static long countRecords(InProcessKafka kafka, String topic) {
        return TopicRecords.count(kafka.clientProperties(), topic, Duration.ofSeconds(10));
    }

    private static void send(KafkaProducer<String, byte[]> producer, AvroSerializer<GpuSample> ser, List<GpuSample> samples)
            throws Exception {
        for (GpuSample s : samples) {
            producer.send(new ProducerRecord<>(Topics.GPU_SAMPLES, null, s.getSampleTime().toEpochMilli(), s.getGpuId(),
                    ser.serialize(Topics.GPU_SAMPLES, s)));
        }
        producer.flush();
    }

    private static void awaitRunning(KafkaStreams streams) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (streams.state() != KafkaStreams.State.RUNNING) {
            assertThat(System.nanoTime()).as("streams running; state " + streams.state()).isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
