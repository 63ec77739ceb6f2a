package costline.streams.drift;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.Direction;
import costline.events.DriftMetric;
import costline.events.DriftSignal;
import costline.events.EntityType;
import costline.events.GpuSample;
import costline.schemas.Topics;
import costline.schemas.serde.AvroSerde;
import costline.streams.runtime.StreamsOnBroker;
import costline.testkit.InProcessKafka;
import costline.testkit.TopicRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Settings;
import costline.streams.cost.CostSettings;
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
        Properties props = StreamsOnBroker.restartable(kafka, appId, stateDir);

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
        kafka.awaitCommitted(appId, Topics.GPU_SAMPLES, 45, Duration.ofSeconds(90));
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

    /**
     * The workload inputs held between sends are state: the first instance never sends (an hour's interval), commits
     * them with the offsets at its close and loses its disk; the second restores them from the changelog and sends
     * them. Every share of every sample reaches the repartition topic exactly once, and each GPU's in time order.
     */
    @Test
    void workloadInputsHeldAtACommitAreSentOnceAfterARestartThatLostTheLocalState() throws Exception {
        String samplesTopic = "eos-samples";
        kafka.createTopics(2, samplesTopic);
        kafka.createTopics(1, "eos-cost", "eos-drift");
        String registry = "mock://drift-kafka-" + UUID.randomUUID();
        DriftConfig config = new DriftConfig(registry, samplesTopic, "eos-cost", "eos-drift", DriftThresholds.DEFAULTS,
                Map.of(), Duration.ofSeconds(10), 10.0, Duration.ofMinutes(5), Duration.ofMinutes(15));
        CostSettings rules = CostSettings.from(Settings.of(Map.of(KafkaSettings.REGISTRY_URL.key(), registry)));
        String appId = "costline-drift-eos-" + UUID.randomUUID();
        String repartition = appId + "-" + DriftTopology.WORKLOAD_REPARTITION + "-repartition";
        Properties props = StreamsOnBroker.restartable(kafka, appId, stateDir);
        // Streams deletes consumed repartition records (every 30 s by default): keep them to count them
        props.put(StreamsConfig.REPARTITION_PURGE_INTERVAL_MS_CONFIG, String.valueOf(Duration.ofHours(1).toMillis()));

        // GPU-0 and GPU-1 run w-a, GPU-2 w-b, GPU-3 is split between them: 5 shares a step
        List<GpuSample> samples = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            long t = T0 + i * 1000L;
            for (int g = 0; g < 4; g++) {
                Object[] shares = g < 2 ? new Object[] {"w-a", 1.0} : g == 2 ? new Object[] {"w-b", 1.0}
                        : new Object[] {"w-a", 0.5, "w-b", 0.5};
                GpuSample s = DriftFixtures.sample("GPU-" + g, t, 60f, 300f, shares);
                samples.add(s);
                for (int k = 0; k < shares.length; k += 2) {
                    expected.add(shares[k] + " " + s.getGpuId() + " " + t);
                }
            }
        }

        KafkaStreams first = new KafkaStreams(DriftTopology.build(config, rules,
                new WorkloadBatching(Duration.ofHours(1), WorkloadBatching.MAX_BYTES), true), props);
        first.start();
        produce(registry, samplesTopic, samples.subList(0, 60));
        kafka.awaitCommitted(appId, samplesTopic, 60, Duration.ofSeconds(90));
        first.close(Duration.ofSeconds(30));
        first.cleanUp();
        assertThat(sharesSent(repartition)).as("held, not sent, before the restart").isEmpty();

        KafkaStreams second = new KafkaStreams(DriftTopology.build(config, rules,
                new WorkloadBatching(Duration.ofMillis(100), WorkloadBatching.MAX_BYTES), true), props);
        second.start();
        try {
            produce(registry, samplesTopic, samples.subList(60, samples.size()));
            kafka.awaitCommitted(appId, samplesTopic, samples.size(), Duration.ofSeconds(90));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (sharesSent(repartition).size() < expected.size() && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            Thread.sleep(2000); // a second send of anything would show by now
            List<String> sent = sharesSent(repartition);
            assertThat(sent).as("every share exactly once").containsExactlyInAnyOrderElementsOf(expected);
            // each (workload, GPU)'s shares in time order: the order the detectors need
            Map<String, List<Long>> times = new java.util.TreeMap<>();
            for (String line : sent) {
                String[] f = line.split(" ");
                times.computeIfAbsent(f[0] + " " + f[1], k -> new ArrayList<>()).add(Long.parseLong(f[2]));
            }
            assertThat(times).hasSize(5).allSatisfy((k, ts) -> assertThat(ts).isSorted());
        } finally {
            second.close(Duration.ofSeconds(30));
        }
    }

    /** "workload GPU sampleTime" of each share in the committed records of the repartition topic, in their order. */
    private static List<String> sharesSent(String repartition) {
        Deserializer<WorkloadBatch> batches = DriftCodec.workloadBatch().deserializer();
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<String, WorkloadBatch> r : TopicRecords.readAll(kafka.clientProperties(), repartition,
                new StringDeserializer(), batches, Duration.ofSeconds(10))) {
            for (WorkloadInput in : r.value().inputs()) {
                if (in.observation() != null) {
                    out.add(r.key() + " " + in.observation().gpuId() + " " + in.observation().sampleTime());
                }
            }
        }
        return out;
    }

    private static java.util.stream.Stream<Path> walk(Path p) {
        try {
            return Files.walk(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void produce(String registry, List<GpuSample> samples) {
        produce(registry, Topics.GPU_SAMPLES, samples);
    }

    private static void produce(String registry, String topic, List<GpuSample> samples) {
        TopicRecords.send(kafka.clientProperties(), new StringSerializer(), AvroSerde.forValues(registry, GpuSample.class).serializer(),
                samples.stream().map(s -> new ProducerRecord<>(topic, null, s.getSampleTime().toEpochMilli(),
                        s.getGpuId(), s)).toList());
    }

    /** The signals of {@code key}, read until one came and then nothing for 3 s (a duplicate would show there). */
    private static List<DriftSignal> readSignals(String registry, String key, Duration wait) {
        return TopicRecords.readUntil(kafka.clientProperties(), Topics.GPU_DRIFT, new StringDeserializer(),
                        AvroSerde.forValues(registry, DriftSignal.class).deserializer(),
                        got -> got.stream().anyMatch(r -> key.equals(r.key())), Duration.ofSeconds(3), wait)
                .stream().filter(r -> key.equals(r.key())).map(ConsumerRecord::value).toList();
    }
}
