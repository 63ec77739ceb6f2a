package costline.streams.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import costline.embedded.EmbeddedQuestDb;
import costline.events.CostRecord;
import costline.events.Site;
import costline.schemas.Topics;
import costline.schemas.registry.InProcessSchemaRegistryServer;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroSerializer;
import costline.streams.config.InfluxSettings;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Settings;
import costline.testkit.InProcessKafka;
import costline.testkit.StoreQueries;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink gathers records that trickle in into few writes (sink.fetch-wait, sink.fetch-min-bytes): each write is one
 * request and one store transaction, whose fixed cost was most of the embedded store's CPU when every fetch was answered
 * at its first record. Every point still lands once, and a second reading of the topic overwrites them.
 */
class InfluxSinkBatchingTest {

    private static final Instant WINDOW = Instant.parse("2026-11-30T10:00:00Z");
    private static final int RECORDS = 200;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void recordsArrivingOneByOneAreWrittenInFewRequestsEachPointOnce(@TempDir Path tmp) throws Exception {
        try (InProcessKafka kafka = InProcessKafka.start();
             InProcessSchemaRegistryServer registry = InProcessSchemaRegistryServer.start(0);
             EmbeddedQuestDb store = EmbeddedQuestDb.start(tmp.resolve("questdb"))) {
            kafka.createTopics(1, Topics.GPU_COST, Topics.GPU_SINK_DLQ);
            QuestDbTables.ddl().forEach(store::sql);
            AvroSerializer<CostRecord> ser = new AvroSerializer<>(SchemaRegistries.forUrl(registry.url()));
            ser.serialize(Topics.GPU_COST, cost(0)); // registers the schema before the timed part

            Running first = start(kafka, registry, store, "batching-test");
            InfluxSink sink = first.sink;
            try {
                // One record every 2 ms (about 0.4 s in all): a fetch answered at its first byte wrote them a few at a time.
                Properties p = new Properties();
                p.putAll(kafka.clientProperties());
                p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
                long micros = 0;
                long sendingFrom = System.nanoTime();
                long sendingMs;
                try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                    for (int i = 0; i < RECORDS; i++) {
                        producer.send(new ProducerRecord<>(Topics.GPU_COST, 0, ("w" + i).getBytes(StandardCharsets.UTF_8),
                                ser.serialize(Topics.GPU_COST, cost(i))));
                        producer.flush();
                        micros += 1_000_000L + i;
                        LockSupport.parkNanos(2_000_000);
                    }
                    sendingMs = (System.nanoTime() - sendingFrom) / 1_000_000;
                }
                kafka.awaitCommitted("batching-test", Topics.GPU_COST, RECORDS, Duration.ofSeconds(60));
                StoreQueries.awaitLong(store, "SELECT count() FROM gpu_cost", RECORDS, Duration.ofSeconds(30));
                assertThat(StoreQueries.micro(store, "SELECT sum(cost_usd) FROM gpu_cost")).isEqualTo(micros);
                assertThat(sink.pointsWritten()).isEqualTo(RECORDS);
                // About 0.4 s of records at a fetch wait of 300 ms: two or three writes; a slow machine takes longer to send
                // them (a flush per record), and each further 300 ms may add a write, so the bound follows the time the
                // sending took: one write per fetch wait, and three more. Without the wait, dozens (each poll took what
                // had come since the last write, a handful of records).
                assertThat(sink.batchesWritten()).isBetween(1L, Math.min(RECORDS / 10, sendingMs / 300 + 4));
                assertThat(StoreQueries.scalar(store, "SELECT count() FROM wal_transactions('gpu_cost')").longValue())
                        .isEqualTo(sink.batchesWritten());
            } finally {
                first.stop();
            }

            // A second reading of the whole topic (a redelivery) overwrites every point: still one row each.
            Running again = start(kafka, registry, store, "batching-test-again");
            try {
                kafka.awaitCommitted("batching-test-again", Topics.GPU_COST, RECORDS, Duration.ofSeconds(60));
                awaitApplied(store);
                assertThat(StoreQueries.scalar(store, "SELECT count() FROM gpu_cost").longValue()).isEqualTo(RECORDS);
            } finally {
                again.stop();
            }
        }
    }

    @Test
    void theConsumerWaitsForTheConfiguredBytesOrTime() {
        InfluxSettings cfg = InfluxSettings.from(Settings.of(Map.of(InfluxSettings.TOKEN.key(), "t",
                InfluxSettings.FETCH_WAIT.key(), "250ms", InfluxSettings.FETCH_MIN_BYTES.key(), "65536")));
        Properties c = InfluxSink.consumerProperties(new Properties(), cfg);
        assertThat(c.getProperty(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG)).isEqualTo("250");
        assertThat(c.getProperty(ConsumerConfig.FETCH_MIN_BYTES_CONFIG)).isEqualTo("65536");
        assertThat(c.getProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG)).isEqualTo("read_committed");
        assertThat(c.getProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG)).isEqualTo("false");
    }

    @Test
    void aFetchWaitOrSizeOutOfRangeStopsStartUpNamingTheKey() {
        assertThatThrownBy(() -> InfluxSettings.from(Settings.of(Map.of(InfluxSettings.TOKEN.key(), "t",
                InfluxSettings.FETCH_WAIT.key(), "1m")))).hasMessageContaining("sink.fetch-wait");
        assertThatThrownBy(() -> InfluxSettings.from(Settings.of(Map.of(InfluxSettings.TOKEN.key(), "t",
                InfluxSettings.FETCH_MIN_BYTES.key(), "0")))).hasMessageContaining("sink.fetch-min-bytes");
    }

    /** Waits until the store has applied every committed transaction of gpu_cost (a count read before would be early). */
    private static void awaitApplied(EmbeddedQuestDb store) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            var row = store.sql("SELECT writerTxn, sequencerTxn FROM wal_tables() WHERE name = 'gpu_cost'").path("dataset").path(0);
            if (row.path(0).asLong() == row.path(1).asLong()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("gpu_cost not applied within 30 s");
    }

    private record Running(InfluxSink sink, Thread thread) {
        void stop() throws InterruptedException {
            sink.close();
            thread.join(20_000);
            sink.release();
        }
    }

    private static Running start(InProcessKafka kafka, InProcessSchemaRegistryServer registry, EmbeddedQuestDb store, String group) {
        Map<String, String> values = new HashMap<>();
        values.put(KafkaSettings.BOOTSTRAP.key(), kafka.bootstrapServers());
        values.put(KafkaSettings.REGISTRY_URL.key(), registry.url());
        values.put(InfluxSettings.URL.key(), store.url());
        values.put(InfluxSettings.TOKEN.key(), "unused-by-questdb");
        values.put(InfluxSettings.TOPICS.key(), Topics.GPU_COST);
        values.put(InfluxSettings.GROUP_ID.key(), group);
        values.put(InfluxSettings.FETCH_WAIT.key(), "300ms");
        Settings settings = Settings.of(values);
        InfluxSink sink = new InfluxSink(KafkaSettings.clientProperties(settings), registry.url(), InfluxSettings.from(settings));
        Thread thread = new Thread(sink::run, "influx-sink-" + group);
        thread.start();
        return new Running(sink, thread);
    }

    /** Its own minute each, one more micro-USD each: a sum that is off names a point lost or doubled. */
    private static CostRecord cost(int i) {
        Instant windowStart = WINDOW.plusSeconds(60L * i);
        return CostRecord.newBuilder().setWorkload("w").setTeam("t").setSite(Site.CLOUD).setGpuModel("m")
                .setWindowStart(windowStart).setWindowEnd(windowStart.plusSeconds(60)).setGpuMs(60_000).setBusyGpuMs(30_000)
                .setCostMicroUsd(1_000_000L + i).setIdleMicroUsd(0).setEnergyMj(0).setSamples(1).setRevision(0).build();
    }
}
