package costline.app.bench;

import costline.app.quickstart.Quickstart;
import costline.app.quickstart.QuickstartOptions;
import costline.app.simulate.Fleet;
import costline.app.simulate.FleetSimulator;
import costline.app.simulate.SimulatedGpu;
import costline.events.CloudPlacement;
import costline.events.GpuSample;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroSerializer;
import costline.streams.config.KafkaSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.TopologyDescription;
import costline.streams.runtime.StreamsApp;
import costline.streams.runtime.StreamsRunner;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;

/**
 * Memory of the whole pipeline over months (a program, not a test): the quickstart's pipeline ({@link Quickstart#start}:
 * embedded broker, registry, QuestDB, every topology, the sink) fed month after month of the simulated fleet as fast as
 * it goes, and after each month, once everything is drained: heap used after a full GC, the process RSS (and its
 * peak), every state store's entries and size on disk, and the records written to every topic during the month.
 *
 * <p>Each configuration runs in a JVM of its own (same class path and JVM options), so heap and RSS are its own:
 * {@code 1} is the quickstart's fleet (25 GPUs, 5 workloads), {@code K} that fleet cloned K times (25 K GPUs, the same 5
 * workload names: the slope is heap per GPU), {@code Kw} the same with every clone's workloads named apart (5 K
 * workloads: the difference from {@code K} is heap per workload).
 *
 * <p>Run: {@code scripts/bench.sh memory [--months 3] [--runs 1,4,4w] [--interval 300]}, {@code --interval}: seconds
 * between a GPU's samples. Last line: the base fleet's heap growth per month over the months after the first (when the
 * retention windows, 30 days at most but the rollup's month totals, are full), against its first month's heap.
 */
public final class MemoryBench {

    private static final double MIB = 1024 * 1024;

    /** One replay: months of {@code clones} copies of the quickstart's fleet. */
    public record Options(LocalDate start, int months, int periodDays, Duration interval, int clones, boolean distinctWorkloads) {
        String label() {
            return clones + (distinctWorkloads ? "w" : "");
        }
    }

    /** The figures after one month (or period), drained. */
    public record Month(String label, long samples, double seconds, long heapAfterGc, long rss, long peakRss,
                        Map<String, Long> storeEntries, Map<String, Long> storeDiskBytes, Map<String, Long> dataDiskBytes,
                        Map<String, Long> topicOffsets) {
    }

    /** A replay's fleet and its months. */
    public record Run(Options options, int gpus, int workloads, List<Month> months) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int months = Integer.parseInt(opt.getOrDefault("months", "3"));
        Duration interval = Duration.ofSeconds(Long.parseLong(opt.getOrDefault("interval", "300")));
        // months that ended before this one: every sample is in the past, as the cost topology requires
        LocalDate start = opt.containsKey("start") ? YearMonth.parse(opt.get("start")).atDay(1)
                : YearMonth.now(ZoneOffset.UTC).minusMonths(months).atDay(1);
        int periodDays = Integer.parseInt(opt.getOrDefault("period-days", "0"));
        if (opt.containsKey("child")) {
            String label = opt.get("child");
            Options o = new Options(start, months, periodDays, interval, Integer.parseInt(label.replace("w", "")), label.endsWith("w"));
            Run run = replay(o, System.out);
            for (int m = 0; m < run.months().size(); m++) {
                Month mo = run.months().get(m);
                System.out.printf(Locale.ROOT, "#figures %d %d %d %d %d %d%n", m, mo.heapAfterGc(), mo.rss(), mo.peakRss(),
                        run.gpus(), run.workloads());
            }
            return;
        }
        System.out.printf("costline memory benchmark, %s, %d cores, java %s, max heap %d MiB; %d months from %s, a sample per GPU every %s%n",
                Instant.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20, months, start, interval);
        List<String> labels = List.of(opt.getOrDefault("runs", "1,4,4w").split(","));
        Map<String, long[][]> figures = new LinkedHashMap<>();
        for (String label : labels) {
            figures.put(label, child(label, args));
        }
        summary(figures);
    }

    /** Runs one configuration in a JVM of its own; returns per month {heap, rss, peak rss, gpus, workloads}. */
    private static long[][] child(String label, String[] args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(MemoryBench.class.getName());
        cmd.addAll(List.of(args));
        cmd.add("--child");
        cmd.add(label);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<long[]> months = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#figures ")) {
                    String[] f = line.split(" ");
                    months.add(new long[]{Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5]),
                            Long.parseLong(f[6])});
                } else if (!line.startsWith("progress ")) {
                    System.out.println("[" + label + "] " + line);
                }
            }
        }
        if (p.waitFor() != 0 || months.isEmpty()) {
            throw new IllegalStateException("run " + label + " failed (exit " + p.exitValue() + "); its output is above");
        }
        return months.toArray(long[][]::new);
    }

    private static void summary(Map<String, long[][]> figures) {
        System.out.println();
        System.out.println("heap after GC / RSS by month (MiB):");
        figures.forEach((label, months) -> {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "  %-4s %4d GPUs %3d workloads:", label, months[0][3], months[0][4]));
            for (long[] m : months) {
                b.append(String.format(Locale.ROOT, "  %7.1f / %7.1f", m[0] / MIB, m[1] / MIB));
            }
            b.append(String.format(Locale.ROOT, "   peak RSS %.1f", months[months.length - 1][2] / MIB));
            System.out.println(b);
        });
        long[][] base = figures.values().iterator().next();
        long[] lastBase = base[base.length - 1];
        // heap per GPU: two runs with the same workloads and different GPU counts; per workload: same GPUs, more workloads
        for (Map.Entry<String, long[][]> e : figures.entrySet()) {
            long[] last = e.getValue()[e.getValue().length - 1];
            if (!e.getKey().endsWith("w") && last[3] != lastBase[3] && last[4] == lastBase[4]) {
                System.out.printf(Locale.ROOT, "heap per GPU (runs %s and %s, last month): %.1f KiB%n",
                        figures.keySet().iterator().next(), e.getKey(), (last[0] - lastBase[0]) / 1024.0 / (last[3] - lastBase[3]));
            }
            if (e.getKey().endsWith("w")) {
                long[][] same = figures.get(e.getKey().replace("w", ""));
                if (same != null) {
                    long[] s = same[same.length - 1];
                    if (last[4] != s[4]) {
                        System.out.printf(Locale.ROOT, "heap per workload (runs %s and %s, last month): %.1f KiB%n",
                                e.getKey().replace("w", ""), e.getKey(), (last[0] - s[0]) / 1024.0 / (last[4] - s[4]));
                    }
                }
            }
        }
        // growth once the windows are full: from the second month on (with two months: month 1 to 2)
        int from = base.length >= 3 ? 1 : 0;
        double growth = base.length < 2 ? 0 : (double) (base[base.length - 1][0] - base[from][0]) / (base.length - 1 - from) / MIB;
        double first = base[0][0] / MIB;
        System.out.printf(Locale.ROOT, "memory: %.1f MiB/month (%.3f of %.1f MiB month-1 heap)%n", growth, growth / first, first);
    }

    /**
     * Replays {@code o.months()} months (or periods of {@code o.periodDays()}) through the quickstart's pipeline in this
     * process, printing each month's figures to {@code out}; the pipeline is closed when it returns.
     */
    public static Run replay(Options o, PrintStream out) throws Exception {
        Path outDir = Files.createTempDirectory("costline-memory-bench-");
        QuickstartOptions qo = new QuickstartOptions(o.start(), 1, o.interval(), Duration.ZERO, null, outDir,
                null, null, null, "costline", "costline", null, false, false, 42, "costline-bench-no-nvml");
        Instant begin = o.start().atStartOfDay(ZoneOffset.UTC).toInstant();
        List<SimulatedGpu> fleet = fleet(Fleet.standard(begin.plus(Duration.ofDays(12))), o.clones(), o.distinctWorkloads());
        int workloads = (int) fleet.stream().map(SimulatedGpu::workload).filter(w -> w != null).distinct().count();
        out.printf("run %s: %d GPUs, %d workloads, %d %s from %s, a sample every %s%n", o.label(), fleet.size(), workloads,
                o.months(), o.periodDays() > 0 ? "periods of " + o.periodDays() + " days" : "months", o.start(), o.interval());
        List<Month> months = new ArrayList<>();
        try (Quickstart quickstart = new Quickstart(qo, out)) {
            quickstart.start();
            Properties client = KafkaSettings.clientProperties(quickstart.settings());
            Properties props = new Properties();
            props.putAll(client);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
            props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
            FleetSimulator simulator = new FleetSimulator(fleet, o.interval(), 42);
            Map<String, Long> offsetsBefore = Map.of();
            try (KafkaProducer<String, GpuSample> producer = new KafkaProducer<>(props, new StringSerializer(),
                    new AvroSerializer<>(SchemaRegistries.forUrl(quickstart.settings().string(KafkaSettings.REGISTRY_URL))))) {
                Instant t = begin;
                for (int m = 0; m < o.months(); m++) {
                    Instant end = o.periodDays() > 0 ? begin.plus(Duration.ofDays((long) o.periodDays() * (m + 1)))
                            : YearMonth.from(o.start()).plusMonths(m + 1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
                    long began = System.nanoTime();
                    long samples = 0;
                    while (t.plus(o.interval()).compareTo(end) <= 0) {
                        t = t.plus(o.interval());
                        for (GpuSample s : simulator.round(t)) {
                            producer.send(new ProducerRecord<>(Topics.GPU_SAMPLES, null, t.toEpochMilli(), s.getGpuId(), s));
                            samples++;
                        }
                    }
                    producer.flush();
                    long left = quickstart.awaitDrained();
                    double seconds = (System.nanoTime() - began) / 1e9;
                    Map<String, Long> offsets = topicOffsets(client);
                    Map<String, Long> written = new TreeMap<>();
                    for (Map.Entry<String, Long> e : offsets.entrySet()) {
                        written.put(e.getKey(), e.getValue() - offsetsBefore.getOrDefault(e.getKey(), 0L));
                    }
                    offsetsBefore = offsets;
                    Month month = measure(o.periodDays() > 0 ? "period " + (m + 1) : YearMonth.from(o.start()).plusMonths(m).toString(),
                            samples, seconds, quickstart, written);
                    months.add(month);
                    print(out, month, left);
                }
            }
        }
        return new Run(o, fleet.size(), workloads, months);
    }

    /** The quickstart's fleet {@code clones} times: GPU, host and instance ids apart; workloads shared or apart. */
    static List<SimulatedGpu> fleet(List<SimulatedGpu> base, int clones, boolean distinctWorkloads) {
        List<SimulatedGpu> fleet = new ArrayList<>(base);
        for (int c = 1; c < clones; c++) {
            String tag = "-c" + c;
            for (SimulatedGpu g : base) {
                CloudPlacement cloud = g.cloud() == null ? null
                        : CloudPlacement.newBuilder(g.cloud()).setInstanceId(g.cloud().getInstanceId() + tag).build();
                String id = cloud == null ? g.gpuId() + tag : cloud.getInstanceId() + "/" + g.index();
                String workload = g.workload() == null || !distinctWorkloads ? g.workload() : g.workload() + tag;
                fleet.add(new SimulatedGpu(id, g.host() + tag, g.index(), g.model(), g.site(), cloud, g.slot(), workload,
                        g.team(), g.demand(), g.idleW(), g.maxW(), g.memTotal()));
            }
        }
        return fleet;
    }

    private static Month measure(String label, long samples, double seconds, Quickstart quickstart, Map<String, Long> written)
            throws IOException, InterruptedException {
        Map<String, Long> entries = new TreeMap<>();
        TreeSet<String> names = storeNames(quickstart);
        for (KafkaStreams streams : quickstart.streams()) {
            entries.putAll(storeEntries(streams, names));
        }
        Path data = quickstart.dataDir();
        Map<String, Long> stores = storeDisk(data.resolve("streams"));
        Map<String, Long> disk = new TreeMap<>();
        try (Stream<Path> top = Files.list(data)) {
            for (Path p : top.toList()) {
                disk.put(p.getFileName().toString(), diskUsage(p));
            }
        }
        // a full GC, twice (the first may only queue finalizable objects), then what is still used
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        Map<String, Long> status = procStatus();
        return new Month(label, samples, seconds, heap, status.getOrDefault("VmRSS", -1L), status.getOrDefault("VmHWM", -1L),
                entries, stores, disk, written);
    }

    private static void print(PrintStream out, Month m, long left) {
        out.printf(Locale.ROOT, "%s: %,d samples replayed and drained in %.1f s%s; heap after full GC %.1f MiB; RSS %.1f MiB (peak %.1f MiB)%n",
                m.label(), m.samples(), m.seconds(), left > 0 ? " (" + left + " records NOT drained)" : "", m.heapAfterGc() / MIB,
                m.rss() / MIB, m.peakRss() / MIB);
        out.printf(Locale.ROOT, "  data on disk (MiB, du):%s%n", joined(m.dataDiskBytes(), v -> String.format(Locale.ROOT, "%.1f", v / MIB)));
        out.printf(Locale.ROOT, "  %-60s %10s %10s%n", "state store (application/store)", "entries", "disk KiB");
        TreeSet<String> names = new TreeSet<>(m.storeEntries().keySet());
        names.addAll(m.storeDiskBytes().keySet());
        for (String name : names) {
            Long e = m.storeEntries().get(name);
            Long d = m.storeDiskBytes().get(name);
            out.printf(Locale.ROOT, "  %-60s %10s %10s%n", name, e == null ? "-" : String.format(Locale.ROOT, "%,d", e),
                    d == null ? "-" : String.format(Locale.ROOT, "%,d", d / 1024));
        }
        out.printf(Locale.ROOT, "  %-60s %10s %8s%n", "topic: offsets written this month (records + commit markers)", "offsets", "/sample");
        m.topicOffsets().forEach((topic, n) -> {
            if (n > 0) {
                out.printf(Locale.ROOT, "  %-60s %,10d %8.2f%n", topic, n, m.samples() == 0 ? 0 : (double) n / m.samples());
            }
        });
    }

    private static String joined(Map<String, Long> m, java.util.function.LongFunction<String> f) {
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> b.append(' ').append(k).append(' ').append(f.apply(v)));
        return b.toString();
    }

    /** The stores of every topology the quickstart runs (from their descriptions: Streams lists them only with application.server set). */
    static TreeSet<String> storeNames(Quickstart quickstart) {
        TreeSet<String> names = new TreeSet<>();
        for (StreamsApp app : StreamsRunner.discover()) {
            TopologyDescription d = app.topology(quickstart.settings()).describe();
            d.subtopologies().forEach(sub -> sub.nodes().forEach(n -> {
                if (n instanceof TopologyDescription.Processor p) {
                    names.addAll(p.stores());
                }
            }));
            d.globalStores().forEach(g -> names.addAll(g.processor().stores()));
        }
        return names;
    }

    /**
     * Entries of every key-value and window store of an application, counted by iterating it (interactive queries);
     * keyed {@code application/store}. A store the application does not have, or that cannot be queried (the commit
     * hook), is left out.
     */
    static Map<String, Long> storeEntries(KafkaStreams streams, TreeSet<String> names) {
        Map<String, Long> entries = new TreeMap<>();
        String app = streams.metadataForLocalThreads().stream().findFirst().map(t -> t.threadName()).orElse("?")
                .replaceFirst("-[0-9a-f]{8}-[0-9a-f]{4}-.*$", "");
        for (String name : names) {
            Long n = count(streams, name);
            if (n != null) {
                entries.put(app + "/" + name, n);
            }
        }
        return entries;
    }

    private static Long count(KafkaStreams streams, String name) {
        try {
            var store = streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.keyValueStore()));
            long n = 0;
            try (KeyValueIterator<Object, Object> it = store.all()) {
                for (; it.hasNext(); it.next()) {
                    n++;
                }
            }
            return n;
        } catch (RuntimeException notKeyValue) {
            // try a window store
        }
        try {
            var store = streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.windowStore()));
            long n = 0;
            try (var it = store.all()) {
                for (; it.hasNext(); it.next()) {
                    n++;
                }
            }
            return n;
        } catch (RuntimeException notWindow) {
            return null;
        }
    }

    /** Bytes on disk per {@code application/store} under Streams' state folder (every task's copy summed). */
    static Map<String, Long> storeDisk(Path stateDir) throws IOException {
        Map<String, Long> sizes = new TreeMap<>();
        if (!Files.isDirectory(stateDir)) {
            return sizes;
        }
        try (Stream<Path> files = Files.walk(stateDir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path rel = stateDir.relativize(f);
                // <application>/<task>/rocksdb/<store>/... or <application>/<task>/<store>/...
                if (rel.getNameCount() < 4) {
                    continue;
                }
                int storeAt = rel.getName(2).toString().equals("rocksdb") ? 3 : 2;
                if (rel.getNameCount() <= storeAt + 1 && storeAt == 2) {
                    continue; // a file of the task folder (checkpoint, lock)
                }
                String key = rel.getName(0) + "/" + rel.getName(storeAt);
                try {
                    sizes.merge(key, Files.size(f), Long::sum);
                } catch (IOException goneMeanwhile) {
                    // RocksDB replaced the file while we walked
                }
            }
        }
        return sizes;
    }

    /**
     * Bytes a folder takes on disk ({@code du}): the broker's index files and QuestDB's tables are preallocated sparse
     * files, whose sizes say gigabytes where megabytes are used. -1 where du cannot run.
     */
    private static long diskUsage(Path p) {
        try {
            Process du = new ProcessBuilder("du", "-sk", p.toString()).redirectErrorStream(false).start();
            String line = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            du.waitFor();
            return Long.parseLong(line.split("\\s+")[0]) * 1024;
        } catch (IOException | NumberFormatException | InterruptedException e) {
            return -1;
        }
    }

    /** End offsets of every topic, summed over partitions. */
    static Map<String, Long> topicOffsets(Properties client) throws Exception {
        Map<String, Long> offsets = new TreeMap<>();
        try (Admin admin = Admin.create(client)) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(admin.listTopics().names().get()).allTopicNames().get().values()
                    .forEach(d -> d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
            admin.listOffsets(latest).all().get().forEach((tp, info) -> offsets.merge(tp.topic(), info.offset(), Long::sum));
        }
        return offsets;
    }

    /** VmRSS, VmHWM, ... of /proc/self/status, in bytes (empty where there is no /proc). */
    static Map<String, Long> procStatus() {
        Map<String, Long> m = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                String[] f = line.split("\\s+");
                if (f.length == 3 && f[2].equals("kB")) {
                    m.put(f[0].replace(":", ""), Long.parseLong(f[1]) * 1024);
                }
            }
        } catch (IOException | NumberFormatException noProc) {
            // not Linux
        }
        return m;
    }
}
