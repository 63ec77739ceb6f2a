package costline.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.GpuSample;
import costline.schemas.Topics;
import costline.streams.runtime.StreamsRunner;
import costline.testkit.InProcessKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances of the cost app (one application.id) share gpu.samples' four partitions; one, in a JVM of its own,
 * is killed with SIGKILL while samples flow. The survivor takes over its tasks (restoring their state from the
 * changelogs, aborting the dead instance's open transaction) and the total is still exactly what the cost model
 * gives, with every sample counted once (exactly_once_v2).
 */
class InstanceCrashTest {

    private static final int GPUS = 8;
    private static final long INTERVAL_MS = 10_000;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void theSurvivorTakesOverAndTheTotalsStayExact(@TempDir Path tmp) throws Exception {
        // A short session timeout so the dead member leaves the group in seconds; the broker must allow it.
        try (InProcessKafka kafka = InProcessKafka.start(Map.of("group.min.session.timeout.ms", "1000"));
             CostPipeline pipeline = CostPipeline.start(kafka, tmp, 4)) {
            Map<String, String> a = crashSettings(pipeline.settings("a"));
            Map<String, String> b = crashSettings(pipeline.settings("b"));
            Process other = CostAppProcess.launch(b, tmp, "b");
            try (StreamsRunner survivor = CostPipeline.startCostApp(a)) {
                CostAppProcess.awaitReady(other, tmp, "b", 90_000);
                KafkaStreams streams = survivor.streams().get(0);
                awaitSamplePartitions(streams, n -> n > 0 && n < 4, Duration.ofSeconds(60));
                int shareBefore = samplePartitions(streams);

                Instant t0 = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(50));
                long perSample = CostPipeline.expectedMicro(INTERVAL_MS);
                int samples = 0;
                long killedAt;
                try (KafkaProducer<String, byte[]> producer = BadInputCorpusTest.producer(kafka)) {
                    samples += send(producer, pipeline, t0, 1, 60);
                    long half = pipeline.awaitCostTotal(samples * perSample, Duration.ofSeconds(60));
                    assertThat(half).as("both instances costing before the crash").isEqualTo(samples * perSample);
                    // Samples in flight on both instances when one of them dies.
                    samples += send(producer, pipeline, t0, 61, 30);
                    other.destroyForcibly();
                    killedAt = System.nanoTime();
                    other.waitFor(10, TimeUnit.SECONDS);
                    samples += send(producer, pipeline, t0, 91, 90);
                }
                awaitSamplePartitions(streams, n -> n == 4, Duration.ofSeconds(60));
                long takeoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                long expected = samples * perSample;
                long total = pipeline.awaitCostTotal(expected, Duration.ofSeconds(60));
                long exactMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                Map<String, Long> counters = CostPipeline.counters(streams);
                System.out.printf("instance crash: survivor held %d of 4 gpu.samples partitions before, all 4 %d ms after the kill; totals "
                                + "exact %d ms after it: %d samples, %d micro-USD; counters %s%n",
                        shareBefore, takeoverMs, exactMs, samples, total, counters);
                assertThat(total).isEqualTo(expected).isEqualTo(180L * GPUS * 7_625L);
                assertThat(counters.get("samples")).as("every sample counted once").isEqualTo((long) samples);
                assertThat(counters).doesNotContainKey("duplicates").doesNotContainKey("corrections");
            } finally {
                other.destroyForcibly();
            }
        }
    }

    private static Map<String, String> crashSettings(Map<String, String> s) {
        s.put("streams.session.timeout.ms", "3000");
        s.put("streams.heartbeat.interval.ms", "500");
        // The dead instance's open transaction blocks read_committed readers of its partitions until it times out.
        s.put("streams.producer.transaction.timeout.ms", "5000");
        return s;
    }

    private static int send(KafkaProducer<String, byte[]> producer, CostPipeline pipeline, Instant t0, int from, int ticks)
            throws Exception {
        int n = 0;
        for (int k = from; k < from + ticks; k++) {
            for (int g = 0; g < GPUS; g++) {
                GpuSample s = CostPipeline.cloud("gpu-crash-" + g, t0.plusMillis(INTERVAL_MS * k), INTERVAL_MS, 80f, "llm");
                producer.send(new ProducerRecord<>(Topics.GPU_SAMPLES, s.getGpuId(), pipeline.encode(s)));
                n++;
            }
            Thread.sleep(20);
        }
        producer.flush();
        return n;
    }

    /** How many gpu.samples partitions this instance's active tasks hold. */
    private static int samplePartitions(KafkaStreams streams) {
        return (int) streams.metadataForLocalThreads().stream()
                .flatMap(t -> t.activeTasks().stream())
                .flatMap(task -> task.topicPartitions().stream())
                .filter(tp -> tp.topic().equals(Topics.GPU_SAMPLES))
                .count();
    }

    private static void awaitSamplePartitions(KafkaStreams streams, java.util.function.IntPredicate ok, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!(ok.test(samplePartitions(streams)) && streams.state() == KafkaStreams.State.RUNNING)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gpu.samples partitions held " + samplePartitions(streams) + ", state " + streams.state());
            }
            Thread.sleep(100);
        }
    }
}
