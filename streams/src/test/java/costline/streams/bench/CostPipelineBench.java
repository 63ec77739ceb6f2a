package costline.streams.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import costline.events.GpuSample;
import costline.schemas.Topics;
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
import costline.testkit.InProcessKafka;
import io.questdb.ServerMain;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Benchmark of the cost pipeline on a real in-process broker (a program, not a test). Prints:
 * <ol>
 *   <li>raw: records/s of a producer and a consumer running at once on the same broker, same record sizes;</li>
 *   <li>cost: samples/s through the cost topology (exactly_once_v2) while the producer publishes them, counted
 *       until the application's committed offsets reach the end of gpu.samples;</li>
 *   <li>latency: samples published at a fixed rate (default 10,000/s) through the topology and the InfluxDB sink
 *       into an embedded QuestDB; probe samples of their own workload are timed from send until their row can be
 *       read back by SQL; p50/p99/max.</li>
 * </ol>
 * Run: {@code mvn -q -pl streams -am test-compile} then
 * {@code java -cp ... costline.streams.bench.CostPipelineBench [samples] [rate] [seconds] [commit ms] [emit ms]}
 * (see the streams README for the class path line).
 */
public final class CostPipelineBench {

    private static final int PARTITIONS = 6;
    private static final int GPUS = 2_000;
    private static final String REGISTRY = "mock://bench";

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 400_000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        String commitMs = args.length > 3 ? args[3] : "500";
        String emitMs = args.length > 4 ? args[4] : "500";
        System.out.printf("costline cost pipeline benchmark, %s, %d cores, java %s%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        Path tmp = Files.createTempDirectory("costline-bench-");
        try (InProcessKafka kafka = InProcessKafka.start()) {
            kafka.createTopics(PARTITIONS, "bench.raw", Topics.GPU_SAMPLES, Topics.GPU_COST, Topics.GPU_SAMPLES_DLQ, Topics.GPU_SINK_DLQ);
            kafka.createTopics(1, PricesLoader.TOPIC_CONFIG, Topics.GPU_PRICES);
            PricesLoader.load(kafka.clientProperties(), REGISTRY, PriceCatalog.readDefault());
            List<byte[]> values = samples(n, Instant.now().minus(Duration.ofMinutes(30)));
            System.out.printf("sample value size: %d bytes%n", values.get(0).length);

            double raw = raw(kafka, values);
            System.out.printf("raw producer->consumer: %,.0f records/s%n", raw);
            for (String commit : List.of("100", commitMs)) {
                double cost = costThroughput(kafka, values, tmp, commit);
                System.out.printf("cost topology (exactly_once_v2, 1 thread, commit %s ms): %,.0f samples/s = %.0f%% of raw%n",
                        commit, cost, 100 * cost / raw);
            }
            if (seconds > 0) {
                latency(kafka, tmp, rate, seconds, commitMs, emitMs);
            }
        }
    }

    /** n samples of GPUS GPUs (half cloud A100s in p4d.24xlarge, half on-prem H100s), one per GPU per second. */
    static List<byte[]> samples(int n, Instant start) {
        AvroSerializer<GpuSample> ser = new AvroSerializer<>(SchemaRegistries.forUrl(REGISTRY));
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(ser.serialize(Topics.GPU_SAMPLES, sample(i, start)));
        }
        return out;
    }

    static GpuSample sample(int i, Instant start) {
        int gpu = i % GPUS;
        Instant t = start.plusSeconds(1 + i / GPUS);
        float util = (i * 37 % 101);
        GpuSample.Builder b = gpu % 2 == 0
                ? Samples.cloud("i-bench" + gpu / 8 + "/" + gpu % 8, t, 1_000, util)
                : Samples.onPrem("GPU-bench-" + gpu, t, 1_000, util, 300f + util * 4, i % 10 == 0 ? 1_000_000L * i : null);
        return b.setWorkloads(gpu % 5 == 0 ? List.of() : Samples.shares("job-" + gpu % 40, 0.5, "job-" + (gpu + 1) % 40, 0.5)).build();
    }

    static String key(int i) {
        int gpu = i % GPUS;
        return gpu % 2 == 0 ? "i-bench" + gpu / 8 + "/" + gpu % 8 : "GPU-bench-" + gpu;
    }

    static KafkaProducer<String, byte[]> producer(InProcessKafka kafka) {
        Properties p = kafka.clientProperties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(64 * 1024));
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    static double raw(InProcessKafka kafka, List<byte[]> values) throws Exception {
        Properties c = kafka.clientProperties();
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        long[] consumed = {0};
        // Partitions assigned directly: no group join inside the timed span (the Streams run is timed from RUNNING).
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            parts.add(new TopicPartition("bench.raw", p));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        consumer.poll(Duration.ofMillis(100));
        long start = System.nanoTime();
        Thread reader = new Thread(() -> {
            try (consumer) {
                while (consumed[0] < values.size()) {
                    consumed[0] += consumer.poll(Duration.ofMillis(100)).count();
                }
            }
        });
        reader.start();
        try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
            for (int i = 0; i < values.size(); i++) {
                producer.send(new ProducerRecord<>("bench.raw", key(i), values.get(i)));
            }
        }
        reader.join();
        return values.size() / ((System.nanoTime() - start) / 1e9);
    }

    static Settings settings(InProcessKafka kafka, Path tmp, String prefix) {
        Map<String, String> v = new HashMap<>();
        v.put(KafkaSettings.BOOTSTRAP.key(), kafka.bootstrapServers());
        v.put(KafkaSettings.REGISTRY_URL.key(), REGISTRY);
        v.put(KafkaSettings.STATE_DIR.key(), tmp.resolve(prefix).toString());
        v.put("streams.application.id.prefix", prefix);
        v.put("topics.partitions", String.valueOf(PARTITIONS));
        return Settings.of(v);
    }

    static double costThroughput(InProcessKafka kafka, List<byte[]> values, Path tmp, String commitMs) throws Exception {
        // A new application each time, starting at the end of gpu.samples: it sees only this run's samples.
        String app = "bench-tput-" + commitMs;
        Settings s = settings(kafka, tmp, app).with("streams.commit.interval.ms", commitMs)
                .with("streams.auto.offset.reset", "latest");
        try (StreamsRunner runner = new StreamsRunner(); Admin admin = Admin.create(kafka.clientProperties())) {
            runner.start(s, List.of(new CostApp()));
            awaitRunning(runner.streams().get(0));
            long start = System.nanoTime();
            long endOffsets;
            try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
                for (int i = 0; i < values.size(); i++) {
                    producer.send(new ProducerRecord<>(Topics.GPU_SAMPLES, key(i), values.get(i)));
                }
            }
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                latest.put(new TopicPartition(Topics.GPU_SAMPLES, p), OffsetSpec.latest());
            }
            endOffsets = 0;
            for (ListOffsetsResult.ListOffsetsResultInfo info : admin.listOffsets(latest).all().get().values()) {
                endOffsets += info.offset();
            }

            while (true) {
                long committed = 0;
                Map<TopicPartition, OffsetAndMetadata> offsets =
                        admin.listConsumerGroupOffsets(app + "-cost").partitionsToOffsetAndMetadata().get();
                for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
                    if (e.getKey().topic().equals(Topics.GPU_SAMPLES) && e.getValue() != null) {
                        committed += e.getValue().offset();
                    }
                }
                // Committed offsets under exactly_once_v2 may sit one past the last record (transaction markers).
                if (committed >= endOffsets) {
                    break;
                }
                Thread.sleep(20);
            }
            return values.size() / ((System.nanoTime() - start) / 1e9);
        }
    }

    static void latency(InProcessKafka kafka, Path tmp, int rate, int seconds, String commitMs, String emitMs) throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        int port;
        try (ServerSocket sock = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = sock.getLocalPort();
        }
        env.put("QDB_HTTP_BIND_TO", "127.0.0.1:" + port);
        env.put("QDB_HTTP_MIN_ENABLED", "false");
        env.put("QDB_PG_ENABLED", "false");
        env.put("QDB_LINE_TCP_ENABLED", "false");
        env.put("QDB_LINE_UDP_ENABLED", "false");
        env.put("QDB_TELEMETRY_ENABLED", "false");
        Path qdir = Files.createDirectories(tmp.resolve("questdb"));
        // QuestDB logs every query at INFO to stdout: keep errors only.
        Files.createDirectories(qdir.resolve("conf"));
        Files.writeString(qdir.resolve("conf/log.conf"),
                "writers=stdout\nw.stdout.class=io.questdb.log.LogConsoleWriter\nw.stdout.level=ERROR\n");
        String url = "http://127.0.0.1:" + port;
        Settings s = settings(kafka, tmp, "bench-lat").with("streams.commit.interval.ms", commitMs)
                .with("cost.emit-interval", emitMs + "ms")
                .with("influx.url", url).with("influx.token", "unused")
                .with("sink.topics", Topics.GPU_COST).with("sink.group-id", "bench-lat-sink").with("sink.poll-timeout", "50ms");
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        try (ServerMain qdb = ServerMain.create(qdir.toString(), env); StreamsRunner runner = new StreamsRunner()) {
            qdb.start();
            // Skip the samples of the throughput run: this application starts at the end of gpu.samples.
            runner.start(s.with("streams.auto.offset.reset", "latest"), List.of(new CostApp()));
            awaitRunning(runner.streams().get(0));
            InfluxSink sink = new InfluxSink(KafkaSettings.clientProperties(s), REGISTRY, InfluxSettings.from(s));
            Thread sinkThread = new Thread(sink::run, "sink");
            sinkThread.start();
            Map<String, Long> sentAt = new ConcurrentHashMap<>();
            Map<String, Long> seenAt = new ConcurrentHashMap<>();
            boolean[] done = {false};
            Thread poller = new Thread(() -> {
                while (!done[0]) {
                    try {
                        String q = "SELECT DISTINCT workload FROM gpu_cost WHERE workload LIKE 'probe-%'";
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/exec?query="
                                + URLEncoder.encode(q, StandardCharsets.UTF_8))).GET().build(), HttpResponse.BodyHandlers.ofString());
                        long now = System.nanoTime();
                        JsonNode rows = json.readTree(r.body()).path("dataset");
                        rows.forEach(row -> seenAt.putIfAbsent(row.get(0).asText(), now));
                        Thread.sleep(50);
                    } catch (Exception e) {
                        // table not created yet
                    }
                }
            }, "poller");
            poller.start();
            AvroSerializer<GpuSample> ser = new AvroSerializer<>(SchemaRegistries.forUrl(REGISTRY));
            Instant base = Instant.now().minusSeconds(5);
            long total = (long) rate * seconds;
            long start = System.nanoTime();
            int probes = 0;
            try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
                for (long i = 0; i < total; i++) {
                    // Paced by sleeping, not spinning: a spinning producer would take a core from the pipeline.
                    long due = start + i * 1_000_000_000L / rate;
                    long ahead = due - System.nanoTime();
                    if (ahead > 1_000_000) {
                        java.util.concurrent.locks.LockSupport.parkNanos(ahead);
                    }
                    int idx = (int) i;
                    GpuSample sm = sample(idx, base.plusMillis(i * 1000 / rate - idx / GPUS * 1000L));
                    String k = key(idx);
                    // Every 1,000th sample (10 per second at 10,000/s) is a probe: a workload of its own.
                    if (i % 1_000 == 0) {
                        String probe = "probe-" + probes++;
                        sm = GpuSample.newBuilder(sm).setWorkloads(Samples.shares(probe, 1.0)).build();
                        sentAt.put(probe, System.nanoTime());
                    }
                    producer.send(new ProducerRecord<>(Topics.GPU_SAMPLES, k, ser.serialize(Topics.GPU_SAMPLES, sm)));
                }
            }
            double achieved = total / ((System.nanoTime() - start) / 1e9);
            long waitUntil = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (seenAt.size() < sentAt.size() && System.nanoTime() < waitUntil) {
                Thread.sleep(50);
            }
            done[0] = true;
            poller.join();
            List<Long> lat = new ArrayList<>();
            sentAt.forEach((p, t) -> {
                Long seen = seenAt.get(p);
                lat.add(seen == null ? Long.MAX_VALUE : (seen - t) / 1_000_000);
            });
            lat.sort(null);
            long missing = lat.stream().filter(x -> x == Long.MAX_VALUE).count();
            System.out.printf("latency sample -> store (commit %s ms, emit %s ms) at %,.0f samples/s offered (%d s, %d probes,"
                            + " %d not seen in time): p50 %d ms, p99 %d ms, max %d ms%n", commitMs, emitMs, achieved, seconds, lat.size(), missing,
                    lat.get(lat.size() / 2), lat.get((int) Math.ceil(lat.size() * 0.99) - 1), lat.get(lat.size() - 1));
            sink.close();
            sinkThread.join(20_000);
            sink.release();
        }
    }

    static void awaitRunning(KafkaStreams streams) throws InterruptedException {
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException("streams failed: " + streams.state());
            }
            Thread.sleep(50);
        }
    }
}
