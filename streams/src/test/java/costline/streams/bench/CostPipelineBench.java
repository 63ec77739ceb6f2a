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
import java.util.Locale;
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
 * Benchmark of the cost pipeline on a real in-process broker (a program, not a test). Two modes:
 * <ul>
 *   <li>{@code throughput}: the raw baseline (records/s of an idempotent acks=all producer and a read_committed
 *       consumer running at once over pre-encoded byte[] keys and values of the samples' size: the broker, not our
 *       code), then samples/s through the cost topology (exactly_once_v2) with 1 and with 2 stream threads while the
 *       same producer publishes the same bytes, counted until the application's committed offsets reach the end of
 *       gpu.samples, and the stream threads' CPU per sample. The raw baseline runs before and after the topology, and
 *       the ratio is taken against their mean, so a load change during the run shows instead of skewing it.</li>
 *   <li>{@code latency}: samples published at a fixed rate (default 10,000/s) through the topology and the InfluxDB
 *       sink into an embedded QuestDB; probe samples of their own workload are timed from send until their row can be
 *       read back by SQL; p50/p99/max, the part up to the increment's commit on gpu.cost (read_committed), and the
 *       p50/max per 5 s of send time (a backlog grows from slice to slice). A warm-up at the same rate ({@code
 *       --warmup} seconds, 5), not counted, runs first until its last probe is in the store (table created, JIT warm).</li>
 * </ul>
 * Run: {@code scripts/bench.sh cost [--samples N] [--commit ms]} or {@code scripts/bench.sh latency [--rate R]
 * [--seconds S] [--commit ms] [--emit ms] [--warmup S]}. Each prints, last, one summary line.
 */
public final class CostPipelineBench {

    static final int PARTITIONS = 6;
    static final int GPUS = 2_000;
    private static final String REGISTRY = "mock://bench";

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "throughput";
        Map<String, String> opt = options(args, 1);
        int n = Integer.parseInt(opt.getOrDefault("samples", "1000000"));
        int rate = Integer.parseInt(opt.getOrDefault("rate", "10000"));
        int seconds = Integer.parseInt(opt.getOrDefault("seconds", "30"));
        String commitMs = opt.getOrDefault("commit", KafkaSettings.COMMIT_MS.defaultValue());
        String emitMs = opt.getOrDefault("emit", String.valueOf(costline.streams.config.Durations.parse(
                costline.streams.cost.CostSettings.EMIT_INTERVAL.defaultValue()).orElseThrow().toMillis()));
        System.out.printf("costline cost pipeline benchmark (%s), %s, %d cores, java %s%n", mode, Instant.now(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        Path tmp = Files.createTempDirectory("costline-bench-");
        try (InProcessKafka kafka = InProcessKafka.start()) {
            kafka.createTopics(PARTITIONS, "bench.raw", Topics.GPU_SAMPLES, Topics.GPU_COST, Topics.GPU_SAMPLES_DLQ, Topics.GPU_SINK_DLQ);
            kafka.createTopics(1, PricesLoader.TOPIC_CONFIG, Topics.GPU_PRICES);
            PricesLoader.load(kafka.clientProperties(), REGISTRY, PriceCatalog.readDefault());
            if (mode.equals("latency")) {
                latency(kafka, tmp, rate, seconds, commitMs, emitMs, Integer.parseInt(opt.getOrDefault("warmup", "5")));
                return;
            }
            if (!mode.equals("throughput")) {
                throw new IllegalArgumentException("mode is throughput or latency, not " + mode);
            }
            Encoded data = encode(n, Instant.now().minus(Duration.ofMinutes(30)), REGISTRY);
            System.out.printf("%,d samples of %,d GPUs, value size %d bytes (first), %d partitions%n", n, GPUS,
                    data.values.get(0).length, PARTITIONS);
            // Warm-up of the broker and the JIT on both paths (a quarter of the samples each), not counted.
            Encoded warm = new Encoded(data.keys.subList(0, n / 4), data.values.subList(0, n / 4));
            raw(kafka, warm, "bench.raw");
            costThroughput(kafka, warm, tmp, commitMs, 1);
            Run raw1 = raw(kafka, data, "bench.raw");
            System.out.printf("raw producer->consumer (idempotent acks=all, read_committed, pre-encoded bytes): %,.0f records/s;"
                    + " process CPU %.1f us per record (producer, consumer, broker)%n", raw1.samplesPerSecond, raw1.processCpuNanos / 1e3);
            Run one = costThroughput(kafka, data, tmp, commitMs, 1);
            Run two = costThroughput(kafka, data, tmp, commitMs, 2);
            Run floorBytes = floorThroughput(kafka, data, tmp, commitMs, false);
            Run floorDecode = floorThroughput(kafka, data, tmp, commitMs, true);
            Run raw2 = raw(kafka, data, "bench.raw");
            System.out.printf("raw producer->consumer again: %,.0f records/s; process CPU %.1f us per record%n", raw2.samplesPerSecond,
                    raw2.processCpuNanos / 1e3);
            double raw = (raw1.samplesPerSecond + raw2.samplesPerSecond) / 2;
            double rawCpu = (raw1.processCpuNanos + raw2.processCpuNanos) / 2;
            for (Run r : List.of(one, two)) {
                System.out.printf("cost topology (exactly_once_v2, %d stream thread%s, commit %s ms): %,.0f samples/s = %.0f%% of raw;"
                                + " stream threads' CPU %.1f us per sample; process CPU %.1f us per sample = raw's CPU per record x %.2f%n",
                        r.threads, r.threads == 1 ? "" : "s", commitMs, r.samplesPerSecond, 100 * r.samplesPerSecond / raw,
                        r.cpuNanosPerSample / 1e3, r.processCpuNanos / 1e3, r.processCpuNanos / rawCpu);
            }
            for (Run r : List.of(floorBytes, floorDecode)) {
                System.out.printf("Streams floor (exactly_once_v2, 1 stream thread, commit %s ms, no state, no output, %s): %,.0f"
                                + " records/s = %.0f%% of raw; stream thread's CPU %.1f us per record; process CPU %.1f us per record%n",
                        commitMs, r == floorBytes ? "values left as bytes" : "values Avro-decoded", r.samplesPerSecond,
                        100 * r.samplesPerSecond / raw, r.cpuNanosPerSample / 1e3, r.processCpuNanos / 1e3);
            }
            // Under load the scheduler shares the cores per runnable thread, so one stream thread gets a smaller share than
            // the raw run's producer, consumer and broker threads: the CPU ratio (raw CPU per record / cost CPU per sample)
            // is the throughput ratio at equal CPU, and holds better on a shared machine.
            System.out.printf(Locale.ROOT, "cost: %.0f samples/s (%.2f of raw %.0f records/s; 2 threads: %.0f samples/s, %.2f of raw;"
                            + " at equal CPU %.2f of raw; an empty exactly-once application %.2f of raw)%n", one.samplesPerSecond,
                    one.samplesPerSecond / raw, raw, two.samplesPerSecond, two.samplesPerSecond / raw, rawCpu / one.processCpuNanos,
                    floorDecode.samplesPerSecond / raw);
        }
    }

    /** {@code --name value} pairs after the mode. */
    static Map<String, String> options(String[] args, int from) {
        Map<String, String> out = new HashMap<>();
        for (int i = from; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            out.put(args[i].substring(2), args[++i]);
        }
        return out;
    }

    /** Keys and values encoded once, before anything is timed. */
    record Encoded(List<byte[]> keys, List<byte[]> values) {
        int size() {
            return values.size();
        }
    }

    /** A timed run: records/s, the stream threads' CPU and this whole process's CPU (broker included) per record. */
    record Run(int threads, double samplesPerSecond, double cpuNanosPerSample, double processCpuNanos) {
    }

    /** n samples of GPUS GPUs (half cloud A100s in p4d.24xlarge, half on-prem H100s), one per GPU per second. */
    static Encoded encode(int n, Instant start, String registryUrl) {
        AvroSerializer<GpuSample> ser = new AvroSerializer<>(SchemaRegistries.forUrl(registryUrl));
        List<byte[]> keys = new ArrayList<>(n);
        List<byte[]> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            keys.add(key(i).getBytes(StandardCharsets.UTF_8));
            values.add(ser.serialize(Topics.GPU_SAMPLES, sample(i, start)));
        }
        return new Encoded(keys, values);
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

    /** The producer of every run: idempotent, acks=all, 5 ms linger, 64 KB batches, no serialization (bytes in). */
    static KafkaProducer<byte[], byte[]> producer(Properties client) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(64 * 1024));
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static void send(Properties client, String topic, Encoded data) {
        try (KafkaProducer<byte[], byte[]> producer = producer(client)) {
            for (int i = 0; i < data.size(); i++) {
                producer.send(new ProducerRecord<>(topic, data.keys.get(i), data.values.get(i)));
            }
        }
    }

    /** Records/s of a producer and a read_committed consumer at once over {@code topic}, from the first send to the last read. */
    static Run raw(InProcessKafka kafka, Encoded data, String topic) throws Exception {
        Properties c = kafka.clientProperties();
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        long[] consumed = {0};
        // Partitions assigned directly: no group join inside the timed span (the Streams run is timed from RUNNING).
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            parts.add(new TopicPartition(topic, p));
        }
        consumer.assign(parts);
        consumer.seekToEnd(parts);
        parts.forEach(consumer::position); // resolve the end offsets now: only this run's records are counted
        long cpu0 = processCpuNanos();
        long start = System.nanoTime();
        Thread reader = new Thread(() -> {
            try (consumer) {
                while (consumed[0] < data.size()) {
                    consumed[0] += consumer.poll(Duration.ofMillis(100)).count();
                }
            }
        });
        reader.start();
        send(kafka.clientProperties(), topic, data);
        reader.join();
        double perSecond = data.size() / ((System.nanoTime() - start) / 1e9);
        return new Run(0, perSecond, 0, (double) (processCpuNanos() - cpu0) / data.size());
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
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

    /** Samples/s through the cost topology with {@code threads} stream threads, and their CPU per sample. */
    static Run costThroughput(InProcessKafka kafka, Encoded data, Path tmp, String commitMs, int threads) throws Exception {
        // A new application each time, starting at the end of gpu.samples: it sees only this run's samples.
        String app = "bench-tput-" + threads + "-" + System.nanoTime();
        Settings s = settings(kafka, tmp, app).with("streams.commit.interval.ms", commitMs)
                .with("streams.num.threads", String.valueOf(threads))
                .with("streams.auto.offset.reset", "latest");
        try (StreamsRunner runner = new StreamsRunner(); Admin admin = Admin.create(kafka.clientProperties())) {
            runner.start(s, List.of(new CostApp()));
            awaitRunning(runner.streams().get(0));
            long cpu0 = threadsCpuNanos(app);
            long process0 = processCpuNanos();
            long start = System.nanoTime();
            send(kafka.clientProperties(), Topics.GPU_SAMPLES, data);
            awaitConsumed(admin, app + "-cost", Topics.GPU_SAMPLES, endOffsets(admin, Topics.GPU_SAMPLES, PARTITIONS));
            double perSecond = data.size() / ((System.nanoTime() - start) / 1e9);
            Run run = new Run(threads, perSecond, (double) (threadsCpuNanos(app) - cpu0) / data.size(),
                    (double) (processCpuNanos() - process0) / data.size());
            if (data.size() >= 1_000) {
                printChangelogRecords(kafka, admin, app, threads, data.size());
            }
            return run;
        }
    }

    /**
     * Records/s through an exactly-once Streams application that does nothing with them (1 stream thread, the same
     * commit interval and producer settings as the cost application, no state, no output): what Kafka Streams itself
     * costs per record on this broker, the floor under any topology. With {@code decode} the values are also
     * Avro-decoded into GpuSamples, as every topology reading gpu.samples must.
     */
    static Run floorThroughput(InProcessKafka kafka, Encoded data, Path tmp, String commitMs, boolean decode) throws Exception {
        String app = "bench-floor-" + (decode ? "decode-" : "bytes-") + System.nanoTime();
        Settings s = settings(kafka, tmp, app).with("streams.commit.interval.ms", commitMs)
                .with("streams.auto.offset.reset", "latest");
        org.apache.kafka.streams.StreamsBuilder builder = new org.apache.kafka.streams.StreamsBuilder();
        var values = builder.stream(Topics.GPU_SAMPLES, org.apache.kafka.streams.kstream.Consumed.with(
                org.apache.kafka.common.serialization.Serdes.ByteArray(), org.apache.kafka.common.serialization.Serdes.ByteArray()));
        if (decode) {
            var avro = new costline.schemas.serde.AvroDeserializer<GpuSample>(SchemaRegistries.forUrl(REGISTRY), GpuSample.class);
            long[] sink = {0};
            values.foreach((k, v) -> sink[0] += avro.deserialize(Topics.GPU_SAMPLES, v).getIntervalMs());
        } else {
            values.foreach((k, v) -> { });
        }
        Properties props = KafkaSettings.streamsProperties(s, "floor");
        try (KafkaStreams streams = new KafkaStreams(builder.build(), props); Admin admin = Admin.create(kafka.clientProperties())) {
            streams.start();
            awaitRunning(streams);
            long cpu0 = threadsCpuNanos(app);
            long process0 = processCpuNanos();
            long start = System.nanoTime();
            send(kafka.clientProperties(), Topics.GPU_SAMPLES, data);
            awaitConsumed(admin, app + "-floor", Topics.GPU_SAMPLES, endOffsets(admin, Topics.GPU_SAMPLES, PARTITIONS));
            double perSecond = data.size() / ((System.nanoTime() - start) / 1e9);
            return new Run(1, perSecond, (double) (threadsCpuNanos(app) - cpu0) / data.size(),
                    (double) (processCpuNanos() - process0) / data.size());
        }
    }

    /**
     * The records the run wrote to its state stores' changelogs per sample, by store (read after the timed part,
     * read_committed: what a restore replays), and so the broker work the state costs beside gpu.cost.
     */
    static void printChangelogRecords(InProcessKafka kafka, Admin admin, String app, int threads, int samples) throws Exception {
        Map<String, Long> byStore = new java.util.TreeMap<>();
        Properties p = new Properties();
        p.putAll(kafka.clientProperties());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        for (String topic : admin.listTopics().names().get()) {
            if (!topic.startsWith(app + "-") || !topic.endsWith("-changelog")) {
                continue;
            }
            long n = 0;
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> parts = new ArrayList<>();
                c.partitionsFor(topic).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
                c.assign(parts);
                // up to the end offsets of now: the application keeps running (and may write) while this reads
                Map<TopicPartition, Long> end = c.endOffsets(parts);
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                    n += c.poll(Duration.ofMillis(300)).count();
                }
            }
            byStore.put(topic.substring(app.length() + 1, topic.length() - "-changelog".length()), n);
        }
        long total = byStore.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder b = new StringBuilder();
        byStore.forEach((store, n) -> b.append(String.format(Locale.ROOT, "%s%s %.2f", b.length() == 0 ? "" : ", ", store,
                n / (double) samples)));
        System.out.printf(Locale.ROOT, "changelog records per sample (%d stream thread%s): %.2f (%s)%n", threads,
                threads == 1 ? "" : "s", total / (double) samples, b);
    }

    /** CPU of this JVM's threads whose name holds {@code app} (Streams names its threads and their clients' after the application). */
    static long threadsCpuNanos(String app) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (java.lang.management.ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (t != null && t.getThreadName().contains(app)) {
                sum += Math.max(0, mx.getThreadCpuTime(t.getThreadId()));
            }
        }
        return sum;
    }

    static long endOffsets(Admin admin, String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        long end = 0;
        for (ListOffsetsResult.ListOffsetsResultInfo info : admin.listOffsets(latest).all().get().values()) {
            end += info.offset();
        }
        return end;
    }

    /** Waits until {@code group}'s committed offsets on {@code topic} add up to {@code end} (at most 10 minutes). */
    static void awaitConsumed(Admin admin, String group, String topic, long end) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (System.nanoTime() < deadline) {
            long committed = 0;
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
                if (e.getKey().topic().equals(topic) && e.getValue() != null) {
                    committed += e.getValue().offset();
                }
            }
            // Committed offsets under exactly_once_v2 may sit one past the last record (transaction markers).
            if (committed >= end) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException(group + " did not consume " + topic + " to its end within 10 minutes");
    }

    static void latency(InProcessKafka kafka, Path tmp, int rate, int seconds, String commitMs, String emitMs, int warmupSeconds)
            throws Exception {
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
        // QuestDB's log factory reads the file named by the system property "out", else its built-in configuration
        System.setProperty("out", qdir.resolve("conf/log.conf").toAbsolutePath().toString());
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
                        String q = "SELECT DISTINCT workload FROM gpu_cost WHERE workload LIKE 'probe-%' OR workload LIKE 'warm-%'";
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
            // The time each probe's increment is committed on gpu.cost (read_committed), to split the latency into the
            // topology's part (emit + exactly-once commit) and the sink's and store's part.
            Map<String, Long> committedAt = new ConcurrentHashMap<>();
            Thread costReader = new Thread(() -> readProbeKeys(kafka.clientProperties(), committedAt, done), "cost-reader");
            costReader.start();
            AvroSerializer<GpuSample> ser = new AvroSerializer<>(SchemaRegistries.forUrl(REGISTRY));
            Instant base = Instant.now().minusSeconds(5);
            int probes;
            double achieved;
            try (KafkaProducer<byte[], byte[]> producer = producer(kafka.clientProperties())) {
                // Warm-up (not counted): --warmup seconds (5) at the same rate, then wait until its last probe is in the
                // store, so the table exists with all its columns and the JIT has compiled the path before the timed part.
                Map<String, Long> warmSent = new HashMap<>();
                long warm = pace(producer, ser, base, rate, 0, (long) rate * warmupSeconds, "warm-", warmSent);
                long warmUntil = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                String lastWarm = "warm-" + (warmSent.size() - 1);
                while (!seenAt.containsKey(lastWarm) && System.nanoTime() < warmUntil) {
                    Thread.sleep(50);
                }
                System.out.printf(Locale.ROOT, "warm-up: %d s, %,d samples, last warm-up probe %s%n", warmupSeconds, warm,
                        seenAt.containsKey(lastWarm) ? "in the store" : "NOT in the store after 60 s");
                long start = System.nanoTime();
                long total = (long) rate * seconds;
                // the timed part continues the warm-up's timeline (same GPUs, event time = wall time since base)
                pace(producer, ser, Instant.now().minusSeconds(5), rate, warm, total, "probe-", sentAt);
                achieved = total / ((System.nanoTime() - start) / 1e9);
                probes = sentAt.size();
            }
            long waitUntil = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (seenAt.keySet().stream().filter(k -> k.startsWith("probe-")).count() < sentAt.size()
                    && System.nanoTime() < waitUntil) {
                Thread.sleep(50);
            }
            done[0] = true;
            poller.join();
            costReader.join();
            // the topology's part: send -> increment committed on gpu.cost (emit interval + exactly-once commit)
            List<Long> topo = new ArrayList<>();
            sentAt.forEach((p, t) -> {
                Long c = committedAt.get(p);
                topo.add(c == null ? Long.MAX_VALUE : (c - t) / 1_000_000);
            });
            topo.sort(null);
            System.out.printf(Locale.ROOT, "sample -> gpu.cost committed (the topology's part): p50 %d ms, p99 %d ms, max %d ms%n",
                    shown(topo.get(topo.size() / 2)), shown(topo.get((int) Math.ceil(topo.size() * 0.99) - 1)),
                    shown(topo.get(topo.size() - 1)));
            // by send time, in slices of 5 s: a backlog grows from slice to slice, a start-up stall shows in the first
            System.out.print("latency by send time (p50 / max ms per 5 s):");
            int perSlice = Math.max(1, rate / 1_000 * 5);
            for (int from = 0; from < probes; from += perSlice) {
                List<Long> slice = new ArrayList<>();
                for (int j = from; j < Math.min(probes, from + perSlice); j++) {
                    Long seen = seenAt.get("probe-" + j);
                    slice.add(seen == null ? Long.MAX_VALUE : (seen - sentAt.get("probe-" + j)) / 1_000_000);
                }
                slice.sort(null);
                System.out.printf(Locale.ROOT, " %d-%d s %d/%d;", from / perSlice * 5, from / perSlice * 5 + 5,
                        shown(slice.get(slice.size() / 2)), shown(slice.get(slice.size() - 1)));
            }
            System.out.println();
            List<Long> lat = new ArrayList<>();
            sentAt.forEach((p, t) -> {
                Long seen = seenAt.get(p);
                lat.add(seen == null ? Long.MAX_VALUE : (seen - t) / 1_000_000);
            });
            lat.sort(null);
            long missing = lat.stream().filter(x -> x == Long.MAX_VALUE).count();
            // a probe not seen within 20 s after the last send is slower than every seen one; printed as -1 (not seen)
            long p50 = shown(lat.get(lat.size() / 2));
            long p99 = shown(lat.get((int) Math.ceil(lat.size() * 0.99) - 1));
            long max = shown(lat.get(lat.size() - 1));
            System.out.printf("latency sample -> store (commit %s ms, emit %s ms) at %,.0f samples/s offered (%d s, %d probes,"
                            + " %d not seen in time): p50 %d ms, p99 %d ms, max %d ms%n", commitMs, emitMs, achieved, seconds, lat.size(), missing,
                    p50, p99, max);
            // What bounds it: a sample waits for the next emit (up to one emit interval), its increment for the next
            // exactly-once commit (up to one commit interval), then the sink's poll, the store's apply and our SQL poll.
            System.out.printf(Locale.ROOT, "budget: emit interval %s ms + commit interval %s ms = %d ms of the p99's %d ms%n",
                    emitMs, commitMs, Long.parseLong(emitMs) + Long.parseLong(commitMs), p99);
            if (p99 < 0) {
                System.out.printf(Locale.ROOT, "latency: not measured, %d of %d probes not seen within 20 s (the pipeline fell behind the"
                        + " %,.0f samples/s offered; p50 %d ms)%n", missing, lat.size(), achieved, p50);
            } else {
                System.out.printf(Locale.ROOT, "latency: %d ms p99 (%.2f of the 1000 ms goal; p50 %d ms, max %d ms, commit interval %s ms)%n",
                        p99, p99 / 1000.0, p50, max, commitMs);
            }
            sink.close();
            sinkThread.join(20_000);
            sink.release();
        }
    }

    /**
     * Sends {@code count} samples from index {@code from} at {@code rate} per second, paced by sleeping (a spinning
     * producer would take a core from the pipeline); every 1,000th (10 per second at 10,000/s) is a probe: a workload
     * of its own, named prefix + number, its send time put in {@code sentAt}. Returns the number sent.
     */
    private static long pace(KafkaProducer<byte[], byte[]> producer, AvroSerializer<GpuSample> ser, Instant base, int rate,
                             long from, long count, String prefix, Map<String, Long> sentAt) {
        long start = System.nanoTime();
        for (long n = 0; n < count; n++) {
            long due = start + n * 1_000_000_000L / rate;
            long ahead = due - System.nanoTime();
            if (ahead > 1_000_000) {
                java.util.concurrent.locks.LockSupport.parkNanos(ahead);
            }
            int idx = (int) (from + n);
            // event time follows the wall clock: the n-th sample is n / rate seconds after base
            GpuSample sm = sample(idx, base.plusMillis(n * 1000 / rate - idx / GPUS * 1000L));
            byte[] k = key(idx).getBytes(StandardCharsets.UTF_8);
            if (n % 1_000 == 0) {
                String probe = prefix + sentAt.size();
                sm = GpuSample.newBuilder(sm).setWorkloads(Samples.shares(probe, 1.0)).build();
                sentAt.put(probe, System.nanoTime());
            }
            producer.send(new ProducerRecord<>(Topics.GPU_SAMPLES, k, ser.serialize(Topics.GPU_SAMPLES, sm)));
        }
        return count;
    }

    /** Notes when each probe's key is first read from gpu.cost by a read_committed consumer (keys are workload names). */
    private static void readProbeKeys(Properties client, Map<String, Long> committedAt, boolean[] done) {
        Properties c = new Properties();
        c.putAll(client);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(Topics.GPU_COST).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            while (!done[0]) {
                for (var r : consumer.poll(Duration.ofMillis(50))) {
                    String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
                    if (key.startsWith("probe-")) {
                        committedAt.putIfAbsent(key, System.nanoTime());
                    }
                }
            }
        }
    }

    private static long shown(long ms) {
        return ms == Long.MAX_VALUE ? -1 : ms;
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
