package costline.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.GpuSample;
import costline.pricing.CostModel;
import costline.schemas.Topics;
import costline.streams.config.InfluxSettings;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Settings;
import costline.streams.runtime.StreamsRunner;
import costline.streams.sink.InfluxSink;
import costline.streams.sink.QuestDbTables;
import costline.embedded.EmbeddedQuestDb;
import costline.testkit.InProcessKafka;
import costline.testkit.StoreQueries;
import costline.testkit.TopicRecords;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store (embedded QuestDB speaking InfluxDB's write API) is down for a while as samples keep coming, some of them
 * re-sent: the sink backs off and retries, resumes when the store is back, and every point arrives. Then a second sink
 * replays both topics from the beginning into the same store: the tables, de-duplicated by series and time as InfluxDB
 * is, must show the same sums and row counts, so a redelivered cost is never written twice.
 */
class StoreOutageTest {

    /** Outage length: 30 s by default to keep CI short; -Dreliability.store.outage.s=60 runs the 60 s. */
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("reliability.store.outage.s", 30));
    private static final int GPUS = 4;
    private static final long INTERVAL_MS = 60_000;

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void theSinkResumesEveryPointArrivesAndNothingIsWrittenTwice(@TempDir Path tmp) throws Exception {
        try (InProcessKafka kafka = InProcessKafka.start();
             CostPipeline pipeline = CostPipeline.start(kafka, tmp, 3)) {
            kafka.createTopics(3, Topics.GPU_SINK_DLQ);
            Path storeDir = tmp.resolve("questdb");
            EmbeddedQuestDb store = EmbeddedQuestDb.start(storeDir);
            QuestDbTables.ddl().forEach(store::sql);
            Map<String, String> values = pipeline.settings("a");
            values.put("influx.url", store.url());
            values.put("influx.token", "unused-by-questdb");
            values.put("sink.topics", Topics.GPU_COST + "," + Topics.GPU_SAMPLES);
            values.put("sink.retry-initial", "200ms");
            values.put("sink.retry-max", "2000ms");
            values.put("sink.poll-timeout", "100ms");
            InfluxSink sink = sink(values, pipeline);
            Thread sinkThread = new Thread(sink::run, "influx-sink");
            InfluxSink replay = null;
            Thread replayThread = null;
            try (StreamsRunner runner = CostPipeline.startCostApp(values);
                 KafkaProducer<String, byte[]> producer = BadInputCorpusTest.producer(kafka)) {
                sinkThread.start();
                Instant t0 = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(55));
                List<GpuSample> firstPart = samples(t0, 1, 10);
                send(producer, pipeline, firstPart);
                StoreQueries.awaitLong(store, "SELECT count() FROM gpu_sample", firstPart.size(), Duration.ofSeconds(60));

                long down = System.nanoTime();
                store.close();
                long retriesBefore = sink.writeRetries();
                // Samples keep coming through the outage, and a collector re-sends a few it was unsure of.
                int ticks = 40;
                for (int k = 0; k < ticks; k++) {
                    send(producer, pipeline, samples(t0, 11 + k, 1));
                    Thread.sleep(OUTAGE.toMillis() / 2 / ticks);
                }
                send(producer, pipeline, firstPart.subList(0, 12));
                Thread.sleep(Math.max(0, OUTAGE.toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - down)));
                long retriesDuring = sink.writeRetries() - retriesBefore;
                long outageMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - down);
                long up = System.nanoTime();
                store = EmbeddedQuestDb.start(storeDir, store.port());

                int n = GPUS * (10 + ticks);
                long perSample = CostPipeline.expectedMicro(INTERVAL_MS);
                long expected = n * perSample;
                StoreQueries.awaitLong(store, "SELECT count() FROM gpu_sample", n, Duration.ofSeconds(90));
                StoreQueries.awaitMicro(store, "SELECT sum(cost_usd) FROM gpu_cost", expected, Duration.ofSeconds(60));
                long resumedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - up);
                long costRecords = TopicRecords.count(kafka.clientProperties(), Topics.GPU_COST, Duration.ofSeconds(20));
                StoreQueries.awaitLong(store, "SELECT count() FROM gpu_cost", costRecords, Duration.ofSeconds(30));
                BigDecimal dollars = BigDecimal.valueOf(StoreQueries.scalar(store, "SELECT sum(cost_usd) FROM gpu_cost")
                        .doubleValue()).setScale(2, RoundingMode.HALF_EVEN);
                System.out.printf("store outage: down %d ms, %d write retries during it, all %d samples and %d cost points "
                                + "(%s USD) in the store %d ms after it came back%n",
                        outageMs, retriesDuring, n, costRecords, dollars, resumedMs);
                assertThat(retriesDuring).as("the sink retried while the store was down").isPositive();
                assertThat(expected).isEqualTo(200 * 45_750L);
                assertThat(dollars).isEqualTo(CostModel.toDollarsCents(expected)).isEqualByComparingTo("9.15");
                assertThat(StoreQueries.scalar(store, "SELECT sum(gpu_seconds) FROM gpu_cost").longValue()).isEqualTo(n * 60L);
                assertThat(sink.deadLettered()).isZero();

                // Redelivery of everything: a second sink (another group) writes every point again.
                values.put("influx.url", store.url());
                values.put("sink.group-id", "costline-influx-sink-replay");
                replay = sink(values, pipeline);
                replayThread = new Thread(replay::run, "influx-sink-replay");
                replayThread.start();
                long all = n + 12 + costRecords;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (replay.pointsWritten() < all && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                assertThat(replay.pointsWritten()).as("points replayed").isEqualTo(all);
                Thread.sleep(3_000); // rows become visible after QuestDB applies its write-ahead log
                store.sql("SELECT 1");
                System.out.printf("replay: %d points written again; rows: %s samples, %s cost points%n", all,
                        StoreQueries.scalar(store, "SELECT count() FROM gpu_sample"), StoreQueries.scalar(store, "SELECT count() FROM gpu_cost"));
                assertThat(StoreQueries.scalar(store, "SELECT count() FROM gpu_sample").longValue()).isEqualTo(n);
                assertThat(StoreQueries.scalar(store, "SELECT count() FROM gpu_cost").longValue()).isEqualTo(costRecords);
                assertThat(StoreQueries.micro(store, "SELECT sum(cost_usd) FROM gpu_cost")).isEqualTo(expected);
            } finally {
                for (InfluxSink s : new InfluxSink[] {sink, replay}) {
                    if (s != null) {
                        s.close();
                    }
                }
                sinkThread.join(20_000);
                if (replayThread != null) {
                    replayThread.join(20_000);
                }
                sink.release();
                if (replay != null) {
                    replay.release();
                }
                store.close();
            }
        }
    }

    private static InfluxSink sink(Map<String, String> values, CostPipeline pipeline) {
        Settings settings = Settings.of(values);
        return new InfluxSink(KafkaSettings.clientProperties(settings), pipeline.registry.url(), InfluxSettings.from(settings));
    }

    private static List<GpuSample> samples(Instant t0, int fromTick, int ticks) {
        List<GpuSample> out = new ArrayList<>();
        for (int k = fromTick; k < fromTick + ticks; k++) {
            for (int g = 0; g < GPUS; g++) {
                out.add(CostPipeline.cloud("i-outage/" + g, t0.plusMillis(INTERVAL_MS * k), INTERVAL_MS, 60f, "llm"));
            }
        }
        return out;
    }

    private static void send(KafkaProducer<String, byte[]> producer, CostPipeline pipeline, List<GpuSample> samples) {
        for (GpuSample s : samples) {
            producer.send(new ProducerRecord<>(Topics.GPU_SAMPLES, null, s.getSampleTime().toEpochMilli(), s.getGpuId(),
                    pipeline.encode(s)));
        }
        producer.flush();
    }
}
