package costline.streams.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.GpuSample;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroSerializer;
import costline.streams.Samples;
import costline.streams.config.Settings;
import costline.streams.cost.CostApp;
import costline.streams.drift.DriftApp;
import costline.streams.prices.PriceCatalog;
import costline.streams.prices.PricesLoader;
import costline.testkit.InProcessKafka;
import costline.testkit.TestCatalog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How often the cost and drift applications commit on the in-process broker, under {@link StreamsRunner} as
 * {@code costline streams run} starts them, with {@code streams.commit.interval.ms} at its default (500 ms). Each
 * exactly-once commit is a transaction, counted by Streams' stream-thread metric {@code commit-total}.
 */
class CommitIntervalsKafkaTest {

    private static final String REGISTRY = "mock://commit-intervals";
    private static final long EMIT_MS = 500;

    static InProcessKafka kafka;

    @BeforeAll
    static void broker(@TempDir Path tmp) throws Exception {
        kafka = InProcessKafka.start();
        kafka.createTopics(1, PricesLoader.TOPIC_CONFIG, Topics.GPU_PRICES);
        Path catalog = Files.writeString(tmp.resolve("catalog.yaml"), TestCatalog.YAML);
        PricesLoader.load(kafka.clientProperties(), REGISTRY, PriceCatalog.read(catalog));
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static Settings settings(String prefix, Path stateDir, Map<String, String> more) {
        Map<String, String> values = new HashMap<>(Map.of("kafka.bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", REGISTRY, "topics.partitions", "3", "streams.state.dir", stateDir.toString(),
                "streams.application.id.prefix", prefix, "streams.commit.interval.ms", "500",
                "cost.emit-interval", EMIT_MS + "ms"));
        values.putAll(more);
        return Settings.of(values);
    }

    /**
     * A busy cost task commits once per emit (each emit asks for its commit, so its increments are visible at once),
     * not once more in between on the commit interval; drift, on drift.commit-interval (5 s), commits about once in
     * the window instead of every 500 ms.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aBusyCostTaskCommitsOncePerEmitAndDriftOnItsOwnInterval(@TempDir Path state) throws Exception {
        try (StreamsRunner runner = new StreamsRunner(); Feed feed = new Feed("busy")) {
            runner.start(settings("busy", state, Map.of()), List.of(new CostApp(), new DriftApp()));
            runner.streams().forEach(CommitIntervalsKafkaTest::awaitRunning);
            KafkaStreams cost = runner.streams().get(0);
            KafkaStreams drift = runner.streams().get(1);
            feed.start();
            Thread.sleep(3_000); // every task has its records, state and first emits behind it
            double cost0 = commits(cost);
            double drift0 = commits(drift);
            long began = System.nanoTime();
            Thread.sleep(6_000);
            double costCommits = commits(cost) - cost0;
            double driftCommits = commits(drift) - drift0;
            double emits = (System.nanoTime() - began) / 1e6 / EMIT_MS;
            System.out.printf(java.util.Locale.ROOT, "%.1f emit intervals: cost %.0f commits, drift %.0f%n", emits, costCommits, driftCommits);
            // about once per emit (12 in the window): the 500-ms commit interval on top made it about twice as many
            assertThat(costCommits).as("cost commits over %.1f emit intervals", emits)
                    .isBetween(0.6 * emits, 1.3 * emits);
            // 6 s at 5 s: one or two (at 500 ms it was about twelve)
            assertThat(driftCommits).as("drift commits in 6 s").isBetween(1.0, 3.0);
        }
    }

    /**
     * A cost task whose input wrote no increment (only records it dead-letters) still commits at its next emit, not
     * only at the application's commit interval (a backstop, here a minute): its offsets and dead letters are committed
     * within about one emit interval.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void inputWithoutIncrementsIsCommittedAtTheNextEmit(@TempDir Path state) throws Exception {
        try (StreamsRunner runner = new StreamsRunner();
             KafkaProducer<String, byte[]> producer = producer()) {
            runner.start(settings("deadletters", state, Map.of("cost.commit-interval", "60s")), List.of(new CostApp()));
            awaitRunning(runner.streams().get(0));
            long before = committed("deadletters-cost");
            long sentAt = System.nanoTime();
            for (int i = 0; i < 6; i++) {
                producer.send(new ProducerRecord<>(Topics.GPU_SAMPLES, "junk-" + i, "junk".getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
            kafka.awaitCommitted("deadletters-cost", Topics.GPU_SAMPLES, before + 6, Duration.ofSeconds(20));
            assertThat((System.nanoTime() - sentAt) / 1e9).as("seconds until the dead letters' offsets were committed")
                    .isLessThan(5.0);
        }
    }

    private static long committed(String group) throws Exception {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(kafka.clientProperties())) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(Topics.GPU_SAMPLES) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        }
    }

    /** Commits of an application so far: commit-total of its stream threads. */
    static double commits(KafkaStreams streams) {
        return streams.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("commit-total") && e.getKey().group().equals("stream-thread-metrics"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(kafka.clientProperties(), new StringSerializer(), new ByteArraySerializer());
    }

    /** Cloud samples of 12 GPUs (on every partition), each GPU's next second every 50 ms, until closed. */
    private static final class Feed implements AutoCloseable {
        private final Thread thread;
        private volatile boolean running = true;

        Feed(String name) {
            thread = new Thread(this::run, "feed-" + name);
        }

        void start() {
            thread.start();
        }

        private void run() {
            AvroSerializer<GpuSample> ser = new AvroSerializer<>(SchemaRegistries.forUrl(REGISTRY));
            Instant t0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES).minus(Duration.ofMinutes(30));
            try (KafkaProducer<String, byte[]> producer = producer()) {
                for (int i = 1; running; i++) {
                    for (int g = 0; g < 12; g++) {
                        GpuSample s = Samples.cloud("i-commits/" + g, t0.plusSeconds(i), 1_000, 40f + g)
                                .setWorkloads(Samples.shares("w" + g % 3, 1.0)).build();
                        producer.send(new ProducerRecord<>(Topics.GPU_SAMPLES, null, s.getSampleTime().toEpochMilli(),
                                s.getGpuId(), ser.serialize(Topics.GPU_SAMPLES, s)));
                    }
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }
    }

    private static void awaitRunning(KafkaStreams streams) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not running after 60 s: " + streams.state());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
