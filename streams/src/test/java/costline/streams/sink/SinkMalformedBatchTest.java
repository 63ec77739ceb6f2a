package costline.streams.sink;

import static org.assertj.core.api.Assertions.assertThat;

import costline.embedded.EmbeddedQuestDb;
import costline.events.CostRecord;
import costline.events.Site;
import costline.schemas.Topics;
import costline.schemas.registry.InProcessSchemaRegistryServer;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroSerializer;
import costline.streams.config.DecodedSource;
import costline.streams.config.InfluxSettings;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Settings;
import costline.testkit.InProcessKafka;
import costline.testkit.StoreQueries;
import costline.testkit.TopicRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink's malformed-batch path on real parts: the in-process broker, the in-process schema registry over HTTP and
 * an embedded QuestDB with the sink's own tables ({@link QuestDbTables}).
 *
 * <p>The store's real refusal: QuestDB answers HTTP 400 "designated timestamp before 1970-01-01 is not allowed" to a
 * point dated before the epoch, and refuses the whole request for that one line (no row of it is kept). A cost record
 * whose window starts in 1969 makes such a line. One poll holds good records before and after it, a record that does
 * not decode and one dated after 2262 (no InfluxDB stores it; QuestDB answers HTTP 500 after 9999, which would read as
 * an outage); the sink must write the good ones point by point, dead-letter the three others with their original key,
 * bytes, reason and origin, count them, and commit the batch.
 */
class SinkMalformedBatchTest {

    private static final String GROUP = "sink-malformed-test";
    private static final Instant WINDOW = Instant.parse("2026-11-30T10:00:00Z");
    /** 1969-12-31T23:59:00Z: -60,000,000 us, a designated timestamp QuestDB refuses. */
    private static final Instant BEFORE_EPOCH = Instant.parse("1969-12-31T23:59:00Z");
    private static final byte[] JUNK = "not avro at all".getBytes(StandardCharsets.UTF_8);
    /** Past InfluxDB's last storable time (2262-04-11); QuestDB answers a line after 9999 with HTTP 500, an "outage". */
    private static final Instant FAR_FUTURE = Instant.parse("+12000-01-01T00:00:00Z");

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aLineTheStoreRefusesIsDeadLetteredAndTheRestOfItsBatchLandsOnce(@TempDir Path tmp) throws Exception {
        try (InProcessKafka kafka = InProcessKafka.start();
             InProcessSchemaRegistryServer registry = InProcessSchemaRegistryServer.start(0);
             EmbeddedQuestDb store = EmbeddedQuestDb.start(tmp.resolve("questdb"))) {
            kafka.createTopics(1, Topics.GPU_COST, Topics.GPU_SINK_DLQ);
            QuestDbTables.ddl().forEach(store::sql);
            AvroSerializer<CostRecord> ser = new AvroSerializer<>(SchemaRegistries.forUrl(registry.url()));
            byte[] refused = ser.serialize(Topics.GPU_COST, cost("old", BEFORE_EPOCH, 999_999_999));
            byte[] farFuture = ser.serialize(Topics.GPU_COST, cost("future", FAR_FUTURE, 5_000_000));
            // Offsets 0..6 of gpu.cost partition 0, all written before the sink starts: its first poll is this batch.
            TopicRecords.send(kafka.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer(), List.of(
                    record("before-1", ser.serialize(Topics.GPU_COST, cost("before-1", WINDOW, 1_000_001))),
                    record("before-2", ser.serialize(Topics.GPU_COST, cost("before-2", WINDOW, 2_000_020))),
                    record("old", refused),   // offset 2: the store refuses its line
                    record("junk", JUNK),     // offset 3: does not decode
                    record("future", farFuture), // offset 4: a time no store can take
                    record("after-1", ser.serialize(Topics.GPU_COST, cost("after-1", WINDOW, 3_000_300))),
                    record("after-2", ser.serialize(Topics.GPU_COST, cost("after-2", WINDOW, 4_003_000)))));

            Settings settings = settings(kafka, registry, store);
            InfluxSink sink = new InfluxSink(KafkaSettings.clientProperties(settings), registry.url(), InfluxSettings.from(settings));
            Thread sinkThread = new Thread(sink::run, "influx-sink");
            sinkThread.start();
            try {
                kafka.awaitCommitted(GROUP, Topics.GPU_COST, 7, Duration.ofSeconds(30));

                // Every good record, before and after the refused line, is one row; the 1969 one is not there.
                // 1,000,001 + 2,000,020 + 3,000,300 + 4,003,000 = 10,003,321 micro-USD.
                StoreQueries.awaitLong(store, "SELECT count() FROM gpu_cost", 4, Duration.ofSeconds(30));
                assertThat(StoreQueries.micro(store, "SELECT sum(cost_usd) FROM gpu_cost")).isEqualTo(10_003_321L);
                Set<String> workloads = new HashSet<>();
                store.sql("SELECT workload FROM gpu_cost").path("dataset").forEach(row -> workloads.add(row.get(0).asText()));
                assertThat(workloads).containsExactlyInAnyOrder("before-1", "before-2", "after-1", "after-2");
                // Nothing written twice: the table's write-ahead log holds one transaction per accepted request (the
                // refused one left none), so 4 means each good point was sent once, alone; the sink counts 4 points,
                // no whole batch (it was refused whole, then written point by point) and no retry.
                assertThat(StoreQueries.scalar(store, "SELECT count() FROM wal_transactions('gpu_cost')").longValue())
                        .isEqualTo(4);
                assertThat(sink.pointsWritten()).isEqualTo(4);
                assertThat(sink.batchesWritten()).isZero();
                assertThat(sink.writeRetries()).isZero();

                // Exactly three dead letters (read until nothing more comes: a re-read batch would add more), each the
                // original key and bytes with its reason, a detail and where it came from.
                List<ConsumerRecord<byte[], byte[]>> dead = TopicRecords.await(kafka.clientProperties(), Topics.GPU_SINK_DLQ,
                        new ByteArrayDeserializer(), new ByteArrayDeserializer(), 3, Duration.ofSeconds(30));
                assertThat(dead).hasSize(3);
                Map<String, ConsumerRecord<byte[], byte[]>> byOrigin = new HashMap<>();
                dead.forEach(d -> byOrigin.put(header(d, DecodedSource.ORIGIN_HEADER), d));
                assertThat(byOrigin).containsOnlyKeys(Topics.GPU_COST + "/0@2", Topics.GPU_COST + "/0@3",
                        Topics.GPU_COST + "/0@4");

                ConsumerRecord<byte[], byte[]> storeRefused = byOrigin.get(Topics.GPU_COST + "/0@2");
                assertThat(new String(storeRefused.key(), StandardCharsets.UTF_8)).isEqualTo("old");
                assertThat(storeRefused.value()).isEqualTo(refused);
                assertThat(header(storeRefused, Topics.DLQ_REASON_HEADER)).isEqualTo("STORE_REJECTED");
                assertThat(header(storeRefused, Topics.DLQ_DETAIL_HEADER))
                        .contains("HTTP 400").contains("before 1970-01-01")
                        .contains("gpu_cost,cost_partition=0,gpu_model=m,site=CLOUD,team=t,workload=old ")
                        .endsWith(" -60000000");

                ConsumerRecord<byte[], byte[]> undecodable = byOrigin.get(Topics.GPU_COST + "/0@3");
                assertThat(new String(undecodable.key(), StandardCharsets.UTF_8)).isEqualTo("junk");
                assertThat(undecodable.value()).isEqualTo(JUNK);
                assertThat(header(undecodable, Topics.DLQ_REASON_HEADER)).isEqualTo("BAD_MAGIC_BYTE");
                assertThat(header(undecodable, Topics.DLQ_DETAIL_HEADER)).startsWith(Topics.GPU_COST + ": ");

                // Refused before it is sent: without that, the store's 500 held the partition in retries for good.
                ConsumerRecord<byte[], byte[]> unstorable = byOrigin.get(Topics.GPU_COST + "/0@4");
                assertThat(unstorable.value()).isEqualTo(farFuture);
                assertThat(header(unstorable, Topics.DLQ_REASON_HEADER)).isEqualTo(InfluxSink.TIME_OUT_OF_RANGE);
                assertThat(header(unstorable, Topics.DLQ_DETAIL_HEADER)).contains("2262-04-11").contains("workload=future");

                // Counted once each (the sink's costline.sink.dead.lettered metric reads this counter).
                assertThat(sink.deadLettered()).isEqualTo(3);
                // The batch is committed exactly past its last record: a restart reads none of it again.
                assertThat(committed(kafka)).isEqualTo(7);
            } finally {
                sink.close();
                sinkThread.join(20_000);
                sink.release();
            }
        }
    }

    /**
     * A dead letter the broker refuses (the dead-letter topic takes messages of at most 64 bytes) leaves the batch
     * uncommitted and the sink reads it again after a back-off, again and again, until the topic takes its dead letters;
     * then each bad record is on it once, counted once, and the batch is committed. The good points are rewritten in
     * place meanwhile: still one row each.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aDeadLetterThatCannotBeWrittenLeavesTheBatchToBeReadAgain(@TempDir Path tmp) throws Exception {
        try (InProcessKafka kafka = InProcessKafka.start();
             InProcessSchemaRegistryServer registry = InProcessSchemaRegistryServer.start(0);
             EmbeddedQuestDb store = EmbeddedQuestDb.start(tmp.resolve("questdb"))) {
            kafka.createTopics(1, Topics.GPU_COST);
            kafka.createTopics(1, Map.of("max.message.bytes", "64"), Topics.GPU_SINK_DLQ);
            QuestDbTables.ddl().forEach(store::sql);
            AvroSerializer<CostRecord> ser = new AvroSerializer<>(SchemaRegistries.forUrl(registry.url()));
            TopicRecords.send(kafka.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer(), List.of(
                    record("before-1", ser.serialize(Topics.GPU_COST, cost("before-1", WINDOW, 1_000_001))),
                    record("old", ser.serialize(Topics.GPU_COST, cost("old", BEFORE_EPOCH, 999_999_999))),
                    record("junk", JUNK),
                    record("after-1", ser.serialize(Topics.GPU_COST, cost("after-1", WINDOW, 3_000_300)))));

            Settings settings = settings(kafka, registry, store);
            InfluxSink sink = new InfluxSink(KafkaSettings.clientProperties(settings), registry.url(), InfluxSettings.from(settings));
            Thread sinkThread = new Thread(sink::run, "influx-sink");
            sinkThread.start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (sink.writeRetries() < 3 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(sink.writeRetries()).as("the batch read again while its dead letters are refused").isGreaterThanOrEqualTo(3);
                assertThat(committed(kafka)).as("nothing committed").isEqualTo(-1);
                assertThat(sink.deadLettered()).as("no dead letter written yet").isZero();
                // 1,000,001 + 3,000,300 = 4,000,301 micro-USD: the good points, rewritten in place on every read
                StoreQueries.awaitLong(store, "SELECT count() FROM gpu_cost", 2, Duration.ofSeconds(30));
                assertThat(StoreQueries.micro(store, "SELECT sum(cost_usd) FROM gpu_cost")).isEqualTo(4_000_301L);

                try (Admin admin = Admin.create(kafka.clientProperties())) {
                    admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, Topics.GPU_SINK_DLQ),
                            List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", "1048588"), AlterConfigOp.OpType.SET))))
                            .all().get();
                }
                kafka.awaitCommitted(GROUP, Topics.GPU_COST, 4, Duration.ofSeconds(30));
                assertThat(committed(kafka)).isEqualTo(4);
                List<ConsumerRecord<byte[], byte[]>> dead = TopicRecords.await(kafka.clientProperties(), Topics.GPU_SINK_DLQ,
                        new ByteArrayDeserializer(), new ByteArrayDeserializer(), 2, Duration.ofSeconds(30));
                assertThat(dead).extracting(d -> header(d, DecodedSource.ORIGIN_HEADER) + " " + header(d, Topics.DLQ_REASON_HEADER))
                        .containsExactlyInAnyOrder(Topics.GPU_COST + "/0@1 STORE_REJECTED", Topics.GPU_COST + "/0@2 BAD_MAGIC_BYTE");
                assertThat(sink.deadLettered()).as("each bad record counted once, when its dead letter is written").isEqualTo(2);
                assertThat(StoreQueries.scalar(store, "SELECT count() FROM gpu_cost").longValue()).isEqualTo(2);
                assertThat(StoreQueries.micro(store, "SELECT sum(cost_usd) FROM gpu_cost")).isEqualTo(4_000_301L);
            } finally {
                sink.close();
                sinkThread.join(20_000);
                sink.release();
            }
        }
    }

    private static Map<String, String> settingsValues(InProcessKafka kafka, InProcessSchemaRegistryServer registry,
                                                      EmbeddedQuestDb store) {
        Map<String, String> values = new HashMap<>();
        values.put(KafkaSettings.BOOTSTRAP.key(), kafka.bootstrapServers());
        values.put(KafkaSettings.REGISTRY_URL.key(), registry.url());
        values.put(InfluxSettings.URL.key(), store.url());
        values.put(InfluxSettings.TOKEN.key(), "unused-by-questdb");
        values.put(InfluxSettings.TOPICS.key(), Topics.GPU_COST);
        values.put(InfluxSettings.GROUP_ID.key(), GROUP);
        values.put(InfluxSettings.RETRY_INITIAL.key(), "100ms");
        values.put(InfluxSettings.RETRY_MAX.key(), "1000ms");
        values.put(InfluxSettings.POLL_TIMEOUT.key(), "100ms");
        return values;
    }

    private static Settings settings(InProcessKafka kafka, InProcessSchemaRegistryServer registry, EmbeddedQuestDb store) {
        return Settings.of(settingsValues(kafka, registry, store));
    }

    private static long committed(InProcessKafka kafka) throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
            OffsetAndMetadata o = offsets.get(new TopicPartition(Topics.GPU_COST, 0));
            return o == null ? -1 : o.offset();
        }
    }

    private static CostRecord cost(String workload, Instant windowStart, long costMicroUsd) {
        return CostRecord.newBuilder().setWorkload(workload).setTeam("t").setSite(Site.CLOUD).setGpuModel("m")
                .setWindowStart(windowStart).setWindowEnd(windowStart.plusSeconds(60)).setGpuMs(60_000).setBusyGpuMs(30_000)
                .setCostMicroUsd(costMicroUsd).setIdleMicroUsd(0).setEnergyMj(0).setSamples(1).setRevision(0).build();
    }

    private static ProducerRecord<byte[], byte[]> record(String key, byte[] value) {
        return new ProducerRecord<>(Topics.GPU_COST, 0, key.getBytes(StandardCharsets.UTF_8), value);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
