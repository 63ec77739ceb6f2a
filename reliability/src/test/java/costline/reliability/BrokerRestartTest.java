package costline.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import costline.collectors.publish.KafkaSamplePublisher;
import costline.collectors.publish.PublisherSettings;
import costline.collectors.publish.PublisherStats;
import costline.schemas.Topics;
import costline.streams.runtime.StreamsRunner;
import costline.testkit.InProcessKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker goes away mid-run and comes back: the collector's publisher (the one the NVML collector uses) keeps
 * accepting samples into its buffer and delivers them after the restart, the cost app rides out the outage, and the
 * dollars on gpu.cost are exactly the sum the cost model gives for every sample, none lost and none counted twice.
 */
class BrokerRestartTest {

    private static final int GPUS = 4;
    private static final long INTERVAL_MS = 10_000;
    private static final float POWER_W = 600f;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void publisherAndCostAppRecoverAndTheTotalsAreExact(@TempDir Path tmp) throws Exception {
        try (InProcessKafka kafka = InProcessKafka.start();
             CostPipeline pipeline = CostPipeline.start(kafka, tmp, 4);
             StreamsRunner runner = CostPipeline.startCostApp(pipeline.settings("a"))) {
            KafkaSamplePublisher publisher = KafkaSamplePublisher.create(new PublisherSettings(kafka.bootstrapServers(),
                    pipeline.registry.url(), Topics.GPU_SAMPLES, 20_000, Duration.ofMinutes(2), "collector-gpu-node-07", Map.of()));
            Instant t0 = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(50));
            int tick = 0;
            // Collector ticks at 50 ms wall clock; sample time advances 10 s a tick, so 180 ticks span 30 minutes.
            tick = collect(publisher, t0, tick, 40);
            long costBefore = pipeline.awaitCostTotal(40 * GPUS * CostPipeline.expectedNvmlMicro(INTERVAL_MS, POWER_W),
                    Duration.ofSeconds(30));
            assertThat(costBefore).as("costed before the outage").isEqualTo(40 * GPUS * CostPipeline.expectedNvmlMicro(INTERVAL_MS, POWER_W));

            long down = System.nanoTime();
            kafka.stopBroker();
            tick = collect(publisher, t0, tick, 100);
            int heldDuringOutage = publisher.stats().pending();
            long outageMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - down);
            long restart = System.nanoTime();
            kafka.restartBroker();
            long brokerBackMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restart);
            tick = collect(publisher, t0, tick, 40);

            long perSample = CostPipeline.expectedNvmlMicro(INTERVAL_MS, POWER_W);
            // 3,865 amortized + 280 energy (600 W x 10 s x 1.4 PUE x $0.12/kWh), worked out by hand.
            assertThat(perSample).isEqualTo(4_145L);
            long expected = (long) tick * GPUS * perSample;
            long total = pipeline.awaitCostTotal(expected, Duration.ofSeconds(90));
            long recoveredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restart);
            publisher.close(Duration.ofSeconds(30));
            PublisherStats stats = publisher.stats();
            KafkaStreams streams = runner.streams().get(0);
            Map<String, Long> counters = CostPipeline.counters(streams);
            System.out.printf("broker restart: outage %d ms, %d samples held by the publisher during it, broker back in %d ms, "
                            + "totals exact %d ms after the restart; %d samples, %s micro-USD; publisher %s; counters %s%n",
                    outageMs, heldDuringOutage, brokerBackMs, recoveredMs, tick * GPUS, total, stats, counters);

            assertThat(heldDuringOutage).as("samples buffered while the broker was down").isGreaterThan(100);
            assertThat(total).isEqualTo(expected).isEqualTo(180L * GPUS * 4_145L);
            assertThat(stats.dropped()).isZero();
            assertThat(stats.failed()).isZero();
            assertThat(stats.published()).isEqualTo((long) tick * GPUS);
            assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
            // Each sample costed once: a sample the producer may have re-sent would show as a duplicate, never as cost.
            assertThat(counters.get("samples")).isEqualTo((long) tick * GPUS);
            assertThat(counters).doesNotContainKey("corrections");
        }
    }

    /** {@code ticks} collector rounds of one sample per GPU, 50 ms apart; returns the next tick number. */
    private static int collect(KafkaSamplePublisher publisher, Instant t0, int from, int ticks) throws InterruptedException {
        for (int k = from + 1; k <= from + ticks; k++) {
            for (int g = 0; g < GPUS; g++) {
                publisher.accept(CostPipeline.nvml("GPU-restart-" + g, t0.plusMillis(INTERVAL_MS * k), INTERVAL_MS, 70f,
                        POWER_W, "train"));
            }
            Thread.sleep(50);
        }
        return from + ticks;
    }
}
