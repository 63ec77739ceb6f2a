package costline.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import costline.app.quickstart.Quickstart;
import costline.app.quickstart.QuickstartOptions;
import costline.app.simulate.Fleet;
import costline.app.simulate.FleetSimulator;
import costline.events.GpuSample;
import costline.events.WorkloadShare;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroSerializer;
import costline.streams.config.KafkaSettings;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The whole pipeline as the quickstart runs it (a program, not a test): the quickstart's own pipeline starter
 * ({@link Quickstart}: embedded broker, registry, QuestDB, every topology, the sink) replays its simulated month as
 * fast as it goes ({@code --duration 0}), then, with everything still running:
 * <ol>
 *   <li>throughput: samples / (simulation + drain), the drain being the time from the last sample sent until every
 *       application and the sink have committed everything; the audit's line is printed as the quickstart prints it;</li>
 *   <li>amplification: records per sample on every topic (read_committed counts, changelogs and repartition topics
 *       included);</li>
 *   <li>latency: 10,000 GPUs at 1 Hz (the simulated fleet, cloned; 10,000 samples/s), every 1,000th sample a probe with a
 *       workload of its own, timed from send until its row can be read back from the store by SQL.</li>
 * </ol>
 * Run: {@code scripts/bench.sh pipeline [--days N] [--rate R] [--seconds S]}. Last line: the sustained rate against the
 * 10,000 samples/s goal.
 */
public final class PipelineBench {

    private static final double GOAL = 10_000;

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        LocalDate start = YearMonth.now(ZoneOffset.UTC).minusMonths(1).atDay(1);
        // 10 days by default (about 57,000 samples), so the run stays within a few minutes; --days 32 (a 30-day month + 2) is
        // the quickstart's own month.
        int days = Integer.parseInt(opt.getOrDefault("days", "10"));
        int rate = Integer.parseInt(opt.getOrDefault("rate", "10000"));
        int seconds = Integer.parseInt(opt.getOrDefault("seconds", "30"));
        System.out.printf("costline whole-pipeline benchmark, %s, %d cores, java %s, max heap %d MiB%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20);
        Path outDir = Files.createTempDirectory("costline-pipeline-bench-");
        QuickstartOptions options = new QuickstartOptions(start, days, Duration.ofSeconds(300), Duration.ZERO, null, outDir,
                null, null, null, "costline", "costline", null, false, false, 42, "costline-bench-no-nvml");
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (Quickstart quickstart = new Quickstart(options, new PrintStream(new SkipProgress(System.out), true, StandardCharsets.UTF_8))) {
            long cpu0 = os.getProcessCpuTime();
            Quickstart.Result result = quickstart.run();
            long cpu = os.getProcessCpuTime() - cpu0;
            double sim = quickstart.simulationTime().toNanos() / 1e9;
            double drain = quickstart.drainTime().toNanos() / 1e9;
            long samples = result.samplesProduced();
            double sustained = samples / (sim + drain);
            System.out.printf(Locale.ROOT, "replay: %,d samples of %d days; simulation %.1f s (%,.0f samples/s offered), drained %.1f s after it;"
                            + " sustained %,.0f samples/s; process CPU %.1f s (%.0f us per sample, broker and store included)%n",
                    samples, days, sim, samples / sim, drain, sustained, cpu / 1e9, cpu / 1e3 / samples);
            Properties client = KafkaSettings.clientProperties(quickstart.settings());
            amplification(client, samples);
            Latency lat = seconds > 0 ? latency(quickstart, client, rate, seconds) : null;
            Runtime rt = Runtime.getRuntime();
            System.out.printf(Locale.ROOT, "heap used after the run: %d MiB%n", (rt.totalMemory() - rt.freeMemory()) >> 20);
            System.out.printf(Locale.ROOT, "pipeline: %.0f samples/s (%.2f of the %.0f samples/s goal; drain %.1f s after the"
                            + " simulation%s)%n", sustained, sustained / GOAL, GOAL, drain,
                    lat == null ? "" : String.format(Locale.ROOT, "; latency at %,.0f/s p50 %d ms, p99 %d ms, max %d ms", lat.offered, lat.p50, lat.p99, lat.max));
        }
    }

    /** Records per sample on every topic, read_committed (transaction markers are not records). */
    static void amplification(Properties client, long samples) throws Exception {
        Map<String, Long> counts = new TreeMap<>();
        Map<TopicPartition, org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo> ends;
        try (Admin admin = Admin.create(client)) {
            Map<String, TopicDescription> topics = admin.describeTopics(admin.listTopics().names().get()).allTopicNames().get();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            topics.values().forEach(d -> d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
            ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
            Properties c = new Properties();
            c.putAll(client);
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> parts = new ArrayList<>(latest.keySet());
                consumer.assign(parts);
                consumer.seekToBeginning(parts);
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> counts.merge(r.topic(), 1L, Long::sum));
                    boolean done = parts.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp).offset());
                    if (done) {
                        break;
                    }
                }
            }
        }
        // Repartition topics are purged once consumed, so their records are gone by now: their end offsets say how many
        // were written (an upper bound: each exactly-once commit also leaves one marker offset per partition written).
        Map<String, Long> offsets = new TreeMap<>();
        ends.forEach((tp, info) -> offsets.merge(tp.topic(), info.offset(), Long::sum));
        System.out.printf(Locale.ROOT, "records per sample on every topic (%,d samples; offsets include exactly-once commit markers):%n", samples);
        System.out.printf(Locale.ROOT, "  %-66s %10s %7s %10s %7s%n", "topic", "records", "/sample", "offsets", "/sample");
        long total = 0;
        long totalOffsets = 0;
        for (Map.Entry<String, Long> e : offsets.entrySet()) {
            long records = counts.getOrDefault(e.getKey(), 0L);
            total += records;
            totalOffsets += e.getValue();
            System.out.printf(Locale.ROOT, "  %-66s %,10d %7.2f %,10d %7.2f%n", e.getKey(), records, (double) records / samples,
                    e.getValue(), (double) e.getValue() / samples);
        }
        System.out.printf(Locale.ROOT, "  %-66s %,10d %7.2f %,10d %7.2f%n", "all topics", total, (double) total / samples,
                totalOffsets, (double) totalOffsets / samples);
    }

    record Latency(double offered, long p50, long p99, long max) {
    }

    /**
     * 10,000 GPUs sampled at 1 Hz (the quickstart's fleet cloned 400 times) offered at {@code rate} samples/s in real time
     * for {@code seconds}; every 1,000th sample is a probe whose workload is its own, timed until the store shows it.
     */
    static Latency latency(Quickstart quickstart, Properties client, int rate, int seconds) throws Exception {
        String storeUrl = quickstart.store().url();
        FleetSimulator sim = new FleetSimulator(Fleet.standard(Instant.now().plus(Duration.ofDays(30))), Duration.ofSeconds(1), 7);
        AvroSerializer<GpuSample> ser = new AvroSerializer<>(SchemaRegistries.forUrl(quickstart.settings().string(KafkaSettings.REGISTRY_URL)));
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Map<String, Long> seenAt = new ConcurrentHashMap<>();
        boolean[] done = {false};
        // Only the run's own minutes: the probes' cost points are dated at or after the minute of t0 (below); a scan of
        // the whole table 20 times a second was a visible share of the store's query CPU (measurement, not pipeline).
        String since = Instant.now().minus(Duration.ofMinutes(2)).truncatedTo(java.time.temporal.ChronoUnit.MINUTES).toString();
        String probeQuery = "SELECT DISTINCT workload FROM gpu_cost WHERE timestamp >= '" + since + "' AND workload LIKE 'probe-%'";
        long[] probeQueries = {0};
        Thread poller = new Thread(() -> {
            while (!done[0]) {
                try {
                    probeQueries[0]++;
                    JsonNode rows = quickstart.store().sql(probeQuery).path("dataset");
                    long now = System.nanoTime();
                    rows.forEach(row -> seenAt.putIfAbsent(row.get(0).asText(), now));
                    Thread.sleep(50);
                } catch (Exception e) {
                    // the store is busy or restarting a query: poll again
                }
            }
        }, "probe-poller");
        poller.start();
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        long total = (long) rate * seconds;
        int probes = 0;
        Map<String, Long> offsets0 = endOffsets(client);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        var threads = ManagementFactory.getThreadMXBean();
        Map<Long, Long> threadCpu0 = threadCpu();
        Map<String, Double> commits0 = commits(quickstart);
        long cpu0 = os.getProcessCpuTime();
        long points0 = quickstart.sink().pointsWritten();
        long batches0 = quickstart.sink().batchesWritten();
        long probeQueries0 = probeQueries[0];
        long loadCpu0 = threads.getCurrentThreadCpuTime();
        long began = System.nanoTime();
        Instant t0 = Instant.now().minusSeconds(1).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<GpuSample> round = List.of();
            Instant stamp = t0;
            long second = -1;
            for (long i = 0; i < total; i++) {
                long due = began + i * 1_000_000_000L / rate;
                long ahead = due - System.nanoTime();
                if (ahead > 1_000_000) {
                    LockSupport.parkNanos(ahead); // paced by sleeping: a spinning producer would take a core from the pipeline
                }
                // second k of the run: the fleet's round ending at t0 + k + 1 s, each sample cloned to rate / fleet GPUs
                if (i / rate != second) {
                    second = i / rate;
                    stamp = t0.plusSeconds(second + 1);
                    List<GpuSample> next = sim.round(stamp);
                    round = next.isEmpty() ? round : next; // every GPU idle this second: the last round again, re-stamped
                }
                int idx = (int) (i % rate);
                GpuSample base = round.get(idx % round.size());
                int clone = idx / round.size();
                GpuSample.Builder b = GpuSample.newBuilder(base).setGpuId(base.getGpuId() + "-c" + clone)
                        .setSampleTime(stamp);
                if (i % 1_000 == 0) {
                    String probe = "probe-" + probes++;
                    b.setWorkloads(List.of(WorkloadShare.newBuilder().setWorkload(probe).setTeam("bench").setShare(1.0f).build()));
                    sentAt.put(probe, System.nanoTime());
                }
                GpuSample sample = b.build();
                producer.send(new ProducerRecord<>(Topics.GPU_SAMPLES, null, sample.getSampleTime().toEpochMilli(),
                        sample.getGpuId().getBytes(StandardCharsets.UTF_8), ser.serialize(Topics.GPU_SAMPLES, sample)));
            }
        }
        double offered = total / ((System.nanoTime() - began) / 1e9);
        // this thread made the load (fleet rounds cloned, Avro-encoded, sent): not the pipeline's CPU
        long loadCpu = threads.getCurrentThreadCpuTime() - loadCpu0;
        long waitUntil = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (seenAt.size() < sentAt.size() && System.nanoTime() < waitUntil) {
            Thread.sleep(50);
        }
        done[0] = true;
        poller.join();
        // Seen probes say the cost path is through; drift, the rollups and the sink may still have a backlog, whose CPU
        // belongs to these samples too: the CPU window ends when every application and the sink have consumed everything.
        long left = quickstart.awaitDrained();
        double drainedAfter = (System.nanoTime() - began) / 1e9;
        // CPU of the whole process (broker, every topology, sink, store, this producer) from the first send until all was
        // consumed: per sample of a fleet sampled at 1 Hz, the figure to size a deployment by
        long cpu = os.getProcessCpuTime() - cpu0;
        System.out.printf(Locale.ROOT, "1 Hz fleet: process CPU %.1f us per sample (%.1f s CPU from the first send until everything was"
                        + " consumed, %.1f s later%s), of which the load generator's thread %.1f us: the pipeline %.1f us per sample%n",
                cpu / 1e3 / total, cpu / 1e9, drainedAfter, left == 0 ? "" : String.format(Locale.ROOT, "; %,d records left", left),
                loadCpu / 1e3 / total, (cpu - loadCpu) / 1e3 / total);
        cpuByThreadGroup(threadCpu0, total);
        long batches = quickstart.sink().batchesWritten() - batches0;
        System.out.printf(Locale.ROOT, "1 Hz fleet: the sink wrote %,d points in %,d requests (store transactions; %.0f points each);"
                        + " the probe poller ran %,d SQL queries meanwhile%n", quickstart.sink().pointsWritten() - points0, batches,
                (quickstart.sink().pointsWritten() - points0) / (double) Math.max(1, batches), probeQueries[0] - probeQueries0);
        Map<String, Double> commits1 = commits(quickstart);
        System.out.printf(Locale.ROOT, "1 Hz fleet: exactly-once commits (transactions) per second by application, over %.1f s:%n", drainedAfter);
        commits1.forEach((app, n) -> System.out.printf(Locale.ROOT, "  %-12s %6.2f /s (%,.0f)%n", app,
                (n - commits0.getOrDefault(app, 0.0)) / drainedAfter, n - commits0.getOrDefault(app, 0.0)));
        Map<String, Long> offsets1 = endOffsets(client);
        System.out.printf(Locale.ROOT, "1 Hz fleet: offsets written per sample (records and exactly-once commit markers), every topic written:%n");
        long all = 0;
        for (Map.Entry<String, Long> e : offsets1.entrySet()) {
            long written = e.getValue() - offsets0.getOrDefault(e.getKey(), 0L);
            all += written;
            if (written > 0) {
                System.out.printf(Locale.ROOT, "  %-66s %,10d %7.3f%n", e.getKey(), written, (double) written / total);
            }
        }
        System.out.printf(Locale.ROOT, "  %-66s %,10d %7.2f%n", "all topics", all, (double) all / total);
        List<Long> lat = new ArrayList<>();
        sentAt.forEach((probe, t) -> {
            Long seen = seenAt.get(probe);
            lat.add(seen == null ? Long.MAX_VALUE : (seen - t) / 1_000_000);
        });
        lat.sort(null);
        long missing = lat.stream().filter(x -> x == Long.MAX_VALUE).count();
        // a probe not seen within 60 s after the last send counts as slower than every seen one (-1 printed: not seen)
        Latency out = new Latency(offered, shown(lat.get(lat.size() / 2)), shown(lat.get((int) Math.ceil(lat.size() * 0.99) - 1)),
                shown(lat.get(lat.size() - 1)));
        System.out.printf(Locale.ROOT, "latency sample -> store, whole pipeline running, %,.0f samples/s offered for %d s (%d probes, %d not seen"
                        + " within 60 s of the last send; -1 = not seen): p50 %d ms, p99 %d ms, max %d ms%n", offered, seconds, lat.size(), missing,
                out.p50, out.p99, out.max);
        return out;
    }

    /**
     * Commits so far by application (Streams' stream-thread metric commit-total, summed over its threads): under
     * exactly_once_v2 each is one transaction of the thread's producer.
     */
    static Map<String, Double> commits(Quickstart quickstart) {
        Map<String, Double> out = new TreeMap<>();
        for (org.apache.kafka.streams.KafkaStreams streams : quickstart.streams()) {
            streams.metrics().forEach((name, metric) -> {
                if (name.name().equals("commit-total") && name.group().equals("stream-thread-metrics")) {
                    java.util.regex.Matcher m = STREAM_THREAD.matcher(name.tags().getOrDefault("thread-id", ""));
                    out.merge(m.find() ? m.group(1) : "?", ((Number) metric.metricValue()).doubleValue(), Double::sum);
                }
            });
        }
        return out;
    }

    /** CPU time of every live thread, by thread id. */
    static Map<Long, Long> threadCpu() {
        var mx = ManagementFactory.getThreadMXBean();
        Map<Long, Long> out = new HashMap<>();
        for (long id : mx.getAllThreadIds()) {
            long t = mx.getThreadCpuTime(id);
            if (t >= 0) {
                out.put(id, t);
            }
        }
        return out;
    }

    /**
     * CPU per sample since {@code before}, by group of threads (the groups of scripts/jfr-top.py: each topology's
     * stream threads, producer I/O threads, the broker's request handlers, QuestDB, the sink, ...). Threads that ended
     * in between are not counted (the process figure above has them).
     */
    static void cpuByThreadGroup(Map<Long, Long> before, long samples) {
        var mx = ManagementFactory.getThreadMXBean();
        Map<String, Long> byGroup = new TreeMap<>();
        for (java.lang.management.ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long t = mx.getThreadCpuTime(info.getThreadId());
            if (t >= 0) {
                byGroup.merge(threadGroup(info.getThreadName()), t - before.getOrDefault(info.getThreadId(), 0L), Long::sum);
            }
        }
        long all = byGroup.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf(Locale.ROOT, "1 Hz fleet: thread CPU per sample by group (%.1f us in all, live threads):%n", all / 1e3 / samples);
        byGroup.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .filter(e -> e.getValue() * 200 >= all) // groups of 0.5 % and more
                .forEach(e -> System.out.printf(Locale.ROOT, "  %-50s %7.1f us %5.1f %%%n", e.getKey(), e.getValue() / 1e3 / samples,
                        100.0 * e.getValue() / all));
    }

    private static final java.util.regex.Pattern STREAM_THREAD =
            java.util.regex.Pattern.compile("costline-(\\w+)-[0-9a-f-]{36}-StreamThread");

    /** The group of a thread, named as scripts/jfr-top.py names it. */
    static String threadGroup(String name) {
        java.util.regex.Matcher m = STREAM_THREAD.matcher(name);
        if (m.find()) {
            return m.group(1) + (name.contains("producer-network") ? " (producer I/O)" : " stream thread");
        }
        for (String key : List.of("data-plane-kafka-request-handler", "kafka-producer-network-thread", "quickstart-sink", "questdb",
                "kafka-", "C2 Compiler", "C1 Compiler", "GC", "G1", "raft", "broker")) {
            if (name.toLowerCase(Locale.ROOT).contains(key.toLowerCase(Locale.ROOT))) {
                return key;
            }
        }
        return name.replaceAll("[-_ ]?\\d+$", "");
    }

    /** End offsets summed by topic (read_committed: up to the last stable offset). */
    static Map<String, Long> endOffsets(Properties client) throws Exception {
        Map<String, Long> out = new TreeMap<>();
        try (Admin admin = Admin.create(client)) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(admin.listTopics().names().get()).allTopicNames().get().values()
                    .forEach(d -> d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
            admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get()
                    .forEach((tp, info) -> out.merge(tp.topic(), info.offset(), Long::sum));
        }
        return out;
    }

    private static long shown(long ms) {
        return ms == Long.MAX_VALUE ? -1 : ms;
    }

    /** The quickstart's output without its once-a-second progress lines. */
    private static final class SkipProgress extends OutputStream {
        private final PrintStream out;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        SkipProgress(PrintStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) {
            if (b != '\n') {
                line.write(b);
                return;
            }
            String s = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (!s.startsWith("progress ")) {
                out.println(s);
            }
        }
    }
}
