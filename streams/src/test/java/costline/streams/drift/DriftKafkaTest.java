package costline.streams.drift;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.Direction;
import costline.events.DriftMetric;
import costline.events.DriftSignal;
import costline.events.EntityType;
import costline.events.GpuSample;
import costline.schemas.Topics;
import costline.schemas.serde.AvroSerde;
import costline.testkit.InProcessKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topology on a real broker under exactly_once_v2: the instance is stopped before the change and its local
 * state wiped (a new machine), so the detection after the restart needs the state restored from the changelog.
 */
@Timeout(180)
class DriftKafkaTest {

    /** Recent event times: the broker's 7-day retention would delete older records while the test runs. */
    private static final long T0 = System.currentTimeMillis() / 1000 * 1000 - 600_000L;
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

    @Test
    void detectsAStepAcrossARestartThatLostTheLocalState() throws Exception {
        // Two partitions of samples, one of cost: the workload side repartitions both onto one topic.
        kafka.createTopics(2, Topics.GPU_SAMPLES);
        kafka.createTopics(1, Topics.GPU_COST, Topics.GPU_DRIFT);
        String registry = "mock://drift-kafka-" + UUID.randomUUID();
        DetectorParams quick = new DetectorParams(20, 10, 0.5, 8.0, 4.0, 2.0, 10.0, 600, 1800);
        DriftConfig config = DriftConfig.defaults(registry).withDefaults(
                new DriftThresholds(quick, 25, 50, 10, Duration.ofMinutes(30), 10_000_000L));
        String appId = "costline-drift-" + UUID.randomUUID();
        Properties props = DriftTopology.streamsProperties(appId, kafka.bootstrapServers(), stateDir.toString());
        props.putAll(kafka.clientProperties());
        // The stopped instance's member is only dropped at its session timeout (Streams does not leave the
        // group on close): the broker's minimum keeps the restart quick.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "6000");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), "1000");

        Random r = new Random(5);
        int stepAt = 50;
        List<GpuSample> series = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            float util = (float) Math.max(0, Math.min(100, (i < stepAt ? 90 : 40) + 5 * r.nextGaussian()));
            series.add(DriftFixtures.sample("GPU-k", T0 + i * 1000L, util, 500f, "train", 1.0));
        }

        KafkaStreams first = new KafkaStreams(DriftTopology.build(config), props);
        first.start();
        produce(registry, series.subList(0, 45));
        awaitCommitted(appId, 45);
        first.close(Duration.ofSeconds(30));
        first.cleanUp(); // the local RocksDB files are gone: only the changelog has the detector state
        assertThat(Files.list(stateDir).flatMap(DriftKafkaTest::walk).filter(Files::isRegularFile)
                .filter(p -> p.toString().contains("rocksdb")).toList()).isEmpty();

        KafkaStreams second = new KafkaStreams(DriftTopology.build(config), props);
        second.start();
        try {
            produce(registry, series.subList(45, series.size()));
            List<DriftSignal> signals = readSignals(registry, "GPU-k", Duration.ofSeconds(90));
            // Power stays at 500 W while utilization halves: power per util% drifts up as well.
            assertThat(signals).extracting(DriftSignal::getMetric)
                    .containsExactlyInAnyOrder(DriftMetric.UTILIZATION, DriftMetric.POWER_PER_UTIL);
            DriftSignal s = signals.stream().filter(x -> x.getMetric() == DriftMetric.UTILIZATION).findFirst()
                    .orElseThrow();
            assertThat(s.getEntityType()).isEqualTo(EntityType.GPU);
            assertThat(s.getMetric()).isEqualTo(DriftMetric.UTILIZATION);
            assertThat(s.getDirection()).isEqualTo(Direction.DOWN);
            assertThat(s.getBaseline()).as("the baseline learnt before the restart").isBetween(86.0, 94.0);
            assertThat(s.getDetectedAt().toEpochMilli() - (T0 + stepAt * 1000L)).isBetween(0L, 30_000L);
        } finally {
            second.close(Duration.ofSeconds(30));
        }
    }

    private static java.util.stream.Stream<Path> walk(Path p) {
        try {
            return Files.walk(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void produce(String registry, List<GpuSample> samples) {
        Properties p = kafka.clientProperties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<String, GpuSample> producer = new KafkaProducer<>(p, new StringSerializer(),
                AvroSerde.forValues(registry, GpuSample.class).serializer())) {
            for (GpuSample s : samples) {
                producer.send(new ProducerRecord<>(Topics.GPU_SAMPLES, null, s.getSampleTime().toEpochMilli(),
                        s.getGpuId(), s));
            }
            producer.flush();
        }
    }

    /** Waits until the application has committed past {@code count} records of gpu.samples. */
    private static void awaitCommitted(String appId, long count) throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            long deadline = System.currentTimeMillis() + 90_000;
            while (System.currentTimeMillis() < deadline) {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get();
                long total = committed.entrySet().stream()
                        .filter(e -> e.getKey().topic().equals(Topics.GPU_SAMPLES) && e.getValue() != null)
                        .mapToLong(e -> e.getValue().offset()).sum();
                if (total >= count) {
                    return;
                }
                Thread.sleep(200);
            }
        }
        throw new AssertionError("the drift application did not commit " + count + " samples in 90 s");
    }

    private static List<DriftSignal> readSignals(String registry, String key, Duration wait) {
        Properties p = kafka.clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "drift-reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<DriftSignal> out = new ArrayList<>();
        try (KafkaConsumer<String, DriftSignal> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                AvroSerde.forValues(registry, DriftSignal.class).deserializer())) {
            consumer.subscribe(List.of(Topics.GPU_DRIFT));
            long deadline = System.currentTimeMillis() + wait.toMillis();
            long quietUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<String, DriftSignal> rec : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(rec.key())) {
                        out.add(rec.value());
                        // Keep reading a little after the first one: a duplicate would show here.
                        quietUntil = System.currentTimeMillis() + 3_000;
                    }
                }
            }
        }
        return out;
    }
}
