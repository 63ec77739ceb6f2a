package costline.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.GpuSample;
import costline.schemas.Topics;
import costline.streams.runtime.StreamsRunner;
import costline.streams.cost.DlqReason;
import costline.testkit.InProcessKafka;
import costline.testkit.TopicRecords;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 bad inputs shuffled among 2,000 good samples that themselves arrive out of order by up to half an hour:
 * 8,000 records that cannot be costed (eight kinds, 1,000 each) must each reach gpu.samples.dlq with the reason for
 * its kind, 2,000 exact re-sends must be dropped and counted as duplicates, the app must keep running, and the good
 * samples must cost exactly what the cost model says.
 */
class BadInputCorpusTest {

    private static final int GPUS = 10;
    private static final int SAMPLES_PER_GPU = 200;
    private static final long INTERVAL_MS = 10_000;
    private static final int PER_KIND = 1_000;

    /** Each kind of bad record and the reason the topology must give it. */
    private enum Kind {
        RANDOM_BYTES(DlqReason.BAD_MAGIC_BYTE), WRONG_MAGIC(DlqReason.BAD_MAGIC_BYTE),
        UNKNOWN_SCHEMA(DlqReason.UNKNOWN_SCHEMA_ID), TRUNCATED(DlqReason.CORRUPT_BODY),
        NAN_UTILIZATION(DlqReason.OUT_OF_RANGE), NEGATIVE_POWER(DlqReason.OUT_OF_RANGE),
        UTILIZATION_OVER_100(DlqReason.OUT_OF_RANGE), FUTURE(DlqReason.FUTURE_TIMESTAMP);

        final DlqReason reason;

        Kind(DlqReason reason) {
            this.reason = reason;
        }
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void everyBadRecordIsDeadLetteredWithItsReasonAndTheGoodOnesCostExactly(@TempDir Path tmp) throws Exception {
        try (InProcessKafka kafka = InProcessKafka.start();
             CostPipeline pipeline = CostPipeline.start(kafka, tmp, 4);
             StreamsRunner runner = CostPipeline.startCostApp(pipeline.settings("a"))) {
            Random rnd = new Random(20261127L);
            Instant t0 = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(40));
            List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
            List<ProducerRecord<String, byte[]>> good = new ArrayList<>();
            for (int g = 0; g < GPUS; g++) {
                for (int i = 1; i <= SAMPLES_PER_GPU; i++) {
                    GpuSample s = CostPipeline.cloud("gpu-" + g, t0.plusMillis(INTERVAL_MS * i), INTERVAL_MS, 40f, "llm");
                    good.add(new ProducerRecord<>(Topics.GPU_SAMPLES, s.getGpuId(), pipeline.encode(s)));
                }
            }
            records.addAll(good);
            // Exact re-sends of every good sample: the same (gpu, time) and body, to be dropped and counted.
            records.addAll(good);
            Map<String, Kind> badKeys = new HashMap<>();
            for (Kind kind : Kind.values()) {
                for (int i = 0; i < PER_KIND; i++) {
                    String key = "bad-" + kind + "-" + i;
                    badKeys.put(key, kind);
                    records.add(new ProducerRecord<>(Topics.GPU_SAMPLES, key, badValue(kind, i, t0, rnd, pipeline)));
                }
            }
            // Shuffled: good samples arrive out of order by up to the 33 minutes they span, duplicates before or after
            // their first copy, bad records anywhere.
            Collections.shuffle(records, rnd);
            assertThat(records).hasSize(2 * GPUS * SAMPLES_PER_GPU + Kind.values().length * PER_KIND);

            long sendStart = System.nanoTime();
            try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
                for (ProducerRecord<String, byte[]> r : records) {
                    producer.send(r);
                }
                producer.flush();
                long good2 = GPUS * SAMPLES_PER_GPU;
                long expected = good2 * CostPipeline.expectedMicro(INTERVAL_MS);
                assertThat(expected).isEqualTo(2_000 * 7_625L);
                assertThat(pipeline.awaitCostTotal(expected, Duration.ofSeconds(60))).isEqualTo(expected);
                System.out.printf("corpus: %d records costed and dead-lettered in %d ms%n", records.size(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sendStart));

                // Still running after all that: a further good sample is costed.
                GpuSample after = CostPipeline.cloud("gpu-after", Instant.now().minusSeconds(60), 60_000, 10f, "eval");
                producer.send(new ProducerRecord<>(Topics.GPU_SAMPLES, after.getGpuId(), pipeline.encode(after))).get();
                long total = expected + CostPipeline.expectedMicro(60_000);
                assertThat(pipeline.awaitCostTotal(total, Duration.ofSeconds(30))).isEqualTo(total);
                assertThat(pipeline.costTotalMicro("eval")).isEqualTo(45_750L);
            }
            KafkaStreams streams = runner.streams().get(0);
            assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);

            List<ConsumerRecord<byte[], byte[]>> dlq = TopicRecords.readAll(kafka.clientProperties(), Topics.GPU_SAMPLES_DLQ,
                    Duration.ofSeconds(30));
            Map<String, String> reasonByKey = new HashMap<>();
            Map<String, Long> byReason = new TreeMap<>();
            for (ConsumerRecord<byte[], byte[]> r : dlq) {
                String key = new String(r.key(), StandardCharsets.UTF_8);
                Header reason = r.headers().lastHeader(Topics.DLQ_REASON_HEADER);
                assertThat(reason).as("reason header of " + key).isNotNull();
                assertThat(r.headers().lastHeader(Topics.DLQ_DETAIL_HEADER)).as("detail header of " + key).isNotNull();
                String previous = reasonByKey.put(key, new String(reason.value(), StandardCharsets.UTF_8));
                assertThat(previous).as("dead-lettered once: " + key).isNull();
                byReason.merge(reasonByKey.get(key), 1L, Long::sum);
            }
            System.out.println("dead letters by reason: " + byReason);
            assertThat(reasonByKey.keySet()).isEqualTo(badKeys.keySet());
            badKeys.forEach((key, kind) -> assertThat(reasonByKey.get(key)).as(key).isEqualTo(kind.reason.name()));

            Map<String, Long> counters = CostPipeline.counters(streams);
            System.out.println("cost-counters: " + counters);
            assertThat(counters).containsEntry("samples", GPUS * SAMPLES_PER_GPU + 1L)
                    .containsEntry("duplicates", (long) GPUS * SAMPLES_PER_GPU)
                    .containsEntry("dlq.BAD_MAGIC_BYTE", 2L * PER_KIND)
                    .containsEntry("dlq.UNKNOWN_SCHEMA_ID", (long) PER_KIND)
                    .containsEntry("dlq.CORRUPT_BODY", (long) PER_KIND)
                    .containsEntry("dlq.OUT_OF_RANGE", 3L * PER_KIND)
                    .containsEntry("dlq.FUTURE_TIMESTAMP", (long) PER_KIND)
                    .doesNotContainKey("corrections");
        }
    }

    private static byte[] badValue(Kind kind, int i, Instant t0, Random rnd, CostPipeline pipeline) {
        Instant t = t0.plusSeconds(i);
        switch (kind) {
            case RANDOM_BYTES -> {
                byte[] b = new byte[1 + rnd.nextInt(200)];
                rnd.nextBytes(b);
                b[0] = (byte) (1 + rnd.nextInt(255)); // anything but the magic byte 0
                return b;
            }
            case WRONG_MAGIC -> {
                byte[] b = pipeline.encode(CostPipeline.cloud("bad-gpu", t, INTERVAL_MS, 50f, "llm"));
                b[0] = (byte) (1 + rnd.nextInt(255));
                return b;
            }
            case UNKNOWN_SCHEMA -> {
                byte[] b = pipeline.encode(CostPipeline.cloud("bad-gpu", t, INTERVAL_MS, 50f, "llm"));
                ByteBuffer.wrap(b).putInt(1, 1_000_000 + i);
                return b;
            }
            case TRUNCATED -> {
                byte[] b = pipeline.encode(CostPipeline.cloud("bad-gpu", t, INTERVAL_MS, 50f, "llm"));
                return Arrays.copyOf(b, 6 + rnd.nextInt(b.length - 6));
            }
            case NAN_UTILIZATION -> {
                return pipeline.encode(CostPipeline.cloud("bad-gpu", t, INTERVAL_MS, Float.NaN, "llm"));
            }
            case NEGATIVE_POWER -> {
                GpuSample s = CostPipeline.cloud("bad-gpu", t, INTERVAL_MS, 50f, "llm");
                s.setPowerW(-1f - rnd.nextInt(500));
                return pipeline.encode(s);
            }
            case UTILIZATION_OVER_100 -> {
                return pipeline.encode(CostPipeline.cloud("bad-gpu", t, INTERVAL_MS, 100.5f + rnd.nextInt(1000), "llm"));
            }
            case FUTURE -> {
                return pipeline.encode(CostPipeline.cloud("bad-gpu", Instant.now().plus(Duration.ofHours(1 + rnd.nextInt(48))),
                        INTERVAL_MS, 50f, "llm"));
            }
            default -> throw new IllegalArgumentException(kind.name());
        }
    }

    static KafkaProducer<String, byte[]> producer(InProcessKafka kafka) {
        Properties p = kafka.clientProperties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }
}
