package costline.streams.soak;

import costline.events.BreakEvenRecommendation;
import costline.events.CloudPlacement;
import costline.events.CloudPrice;
import costline.events.CostRecord;
import costline.events.DriftSignal;
import costline.events.GpuSample;
import costline.events.MonthlyRollup;
import costline.events.OnPremPrice;
import costline.events.PriceEntry;
import costline.events.Site;
import costline.events.Source;
import costline.events.SpendAlert;
import costline.events.WorkloadShare;
import costline.pricing.CostModel;
import costline.schemas.Topics;
import costline.schemas.serde.AvroSerde;
import costline.streams.alert.AlertConfig;
import costline.streams.alert.SpendAlertTopology;
import costline.streams.breakeven.BreakEvenConfig;
import costline.streams.breakeven.BreakEvenTopology;
import costline.streams.config.Settings;
import costline.streams.cost.CostSettings;
import costline.streams.cost.CostTopology;
import costline.streams.drift.DriftConfig;
import costline.streams.drift.DriftTopology;
import costline.streams.prices.PriceKeys;
import costline.streams.rollup.MonthlyRollupTopology;
import costline.streams.rollup.RollupConfig;
import costline.streams.sink.InfluxPoints;
import costline.streams.sink.LinePoint;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The soak: months of a fleet whose workloads come and go, replayed through the real topologies (cost, drift, rollup,
 * alerts, break-even, each on its own TopologyTestDriver, gpu.cost handed from the cost app to the others as it is
 * emitted), printing at each checkpoint the entries of every state store, the heap after GC, and the distinct store
 * series (measurement + tags of every point the sink would write, through {@link InfluxPoints}). Every store's entries
 * are printed with the bound the retentions allow ({@link #bounds}): retention x rate of new names, plus what is
 * active.
 *
 * <p>The fleet, one sample every 5 minutes per GPU:
 * <ul>
 *   <li>{@code churnGpus} on-prem GPUs (4), each running short jobs one after another, every job a new name
 *       ({@code job-000001}, ...), 1..L samples long, L chosen so the run makes about {@code names} names;</li>
 *   <li>1 cloud GPU running the service {@code svc-a} the whole time (state that must survive);</li>
 *   <li>1 cloud GPU running batch jobs of 2-12 hours, each a new name (break-even and alerts see only cloud cost).</li>
 * </ul>
 * Stores are in memory (changelogged) so the heap shows the state, and TopologyTestDriver does not flush RocksDB
 * after each record. Run: see streams/README.md, "Soak".
 */
public final class FleetSoak {

    static final String REGISTRY = "mock://fleet-soak";
    static final String ONPREM_MODEL = "NVIDIA A100 80GB PCIe";
    static final String CLOUD_MODEL = "NVIDIA A100-SXM4-40GB";
    static final long STEP_MS = 300_000L;
    static final long DAY_MS = 86_400_000L;
    /** The service GPU and the batch GPU. */
    static final int CLOUD_GPUS = 2;

    /**
     * @param start       first instant of the run (UTC)
     * @param days        simulated days
     * @param names       distinct churn job names to aim for over the run
     * @param churnGpus   on-prem GPUs running short jobs
     * @param checkpoint  print the figures at every month end (false: every day end)
     * @param settings    the applications' settings (retentions), as in costline.properties
     */
    public record Options(Instant start, int days, int names, int churnGpus, long seed, boolean monthly,
                          Map<String, String> settings) {

        /** Three months, 100,000 names, the settings' defaults except where a replay needs otherwise. */
        public static Options threeMonths() {
            Map<String, String> s = replaySettings();
            s.put("rollup.retention", "P7D");
            // each scan decodes every month total kept: 4 a day are enough to close months (a record closes its own too)
            s.put("rollup.punctuate-interval", "PT6H");
            return new Options(Instant.parse("2026-01-01T00:00:00Z"), 90, 100_000, 4, 17, true, s);
        }

        /** CI: three days across a month end, about 1,400 names, retentions of hours so they expire inside the run. */
        public static Options shortForm() {
            Map<String, String> s = replaySettings();
            s.put(CostSettings.STATE_RETENTION.key(), "2h");
            s.put(DriftConfig.STATE_RETENTION.key(), "3h");
            s.put("breakeven.window", "PT6H");
            s.put("breakeven.min-history", "PT1H");
            s.put("breakeven.retention", "PT12H");
            s.put("breakeven.interval", "PT1H");
            s.put("rollup.retention", "P1D");
            s.put("rollup.grace", "PT1H");
            return new Options(Instant.parse("2026-01-31T00:00:00Z"), 3, 1_500, 4, 17, false, s);
        }

        private static Map<String, String> replaySettings() {
            Map<String, String> s = new TreeMap<>();
            s.put("schema.registry.url", REGISTRY);
            s.put(CostSettings.EMIT_INTERVAL.key(), "1m");
            // a replay: stream time, not the wall clock, closes months and schedules break-even
            s.put("rollup.wall-clock-close", "false");
            s.put("breakeven.schedule", "STREAM_TIME");
            s.put("breakeven.interval", "PT6H");
            s.put("breakeven.price-check-interval", "PT6H");
            // every PT1M of stream time each scans its whole store: an hour keeps a 90-day replay to minutes
            s.put("rollup.punctuate-interval", "PT1H");
            s.put("alert.punctuate-interval", "PT1H");
            return s;
        }

        Duration duration(String key, String dflt) {
            return costline.streams.config.Durations.parse(settings.getOrDefault(key, dflt)).orElseThrow();
        }
    }

    /** The figures of one checkpoint. */
    public record Checkpoint(String label, long samples, long costRecords, long namesSoFar, Map<String, Long> entries,
                             Map<String, Long> bounds, long heapBytes, long seriesTotal, long seriesNew, double seconds) {
    }

    private final Options o;
    private final Consumer<String> out;
    private final Random random;
    private final List<TopologyTestDriver> drivers = new ArrayList<>();
    private final Map<String, TopologyTestDriver> driverOfStore = new LinkedHashMap<>();
    private final LongSet series = new LongSet();
    private final costline.schemas.serde.AvroSerializer<GpuSample> sampleBytes =
            new costline.schemas.serde.AvroSerializer<>(costline.schemas.registry.SchemaRegistries.forUrl(REGISTRY));

    private TopologyTestDriver cost;
    private TestInputTopic<byte[], byte[]> costSamples;
    private TestOutputTopic<String, CostRecord> costOut;
    private final List<TestInputTopic<String, CostRecord>> costConsumers = new ArrayList<>();
    private TestInputTopic<String, GpuSample> driftSamples;
    private final List<Runnable> drains = new ArrayList<>();

    private long samples;
    private long costRecords;
    private int nextJob;
    private int nextBatch;
    private long seriesAtLastCheckpoint;

    public FleetSoak(Options o, Consumer<String> out) {
        this.o = o;
        this.out = out;
        this.random = new Random(o.seed());
    }

    public static void main(String[] args) {
        Options o = args.length > 0 && args[0].equals("short") ? Options.shortForm() : Options.threeMonths();
        if (args.length > 1) {
            o = new Options(o.start(), Integer.parseInt(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : o.names(),
                    o.churnGpus(), o.seed(), o.monthly(), o.settings());
        }
        new FleetSoak(o, System.out::println).run();
    }

    /** A GPU of the simulated fleet and what it runs now. */
    private final class Gpu {
        final String id;
        final Site site;
        final String kind; // churn, service, batch, idle
        String workload;
        int samplesLeft;
        long energyMj = 1_000_000_000L;

        Gpu(String id, Site site, String kind, String workload) {
            this.id = id;
            this.site = site;
            this.kind = kind;
            this.workload = workload;
        }

        void nextJobIfDone(int maxJobSamples) {
            if (kind.equals("churn") && samplesLeft <= 0) {
                workload = String.format("job-%06d", ++nextJob);
                samplesLeft = 1 + random.nextInt(maxJobSamples);
            } else if (kind.equals("batch") && samplesLeft <= 0) {
                workload = String.format("batch-%05d", ++nextBatch);
                samplesLeft = 24 + random.nextInt(121); // 2 to 12 hours
            }
            samplesLeft--;
        }

        GpuSample sample(long t) {
            float util = 20 + random.nextInt(76);
            GpuSample.Builder b = GpuSample.newBuilder().setSampleTime(Instant.ofEpochMilli(t)).setIntervalMs(STEP_MS)
                    .setGpuId(id).setGpuIndex(0).setSite(site).setUtilGpuPct(util)
                    .setWorkloads(workload == null ? List.of() : List.of(WorkloadShare.newBuilder().setWorkload(workload)
                            .setTeam("team-" + (workload.hashCode() & 7)).setShare(1.0f).build()));
            if (site == Site.CLOUD) {
                return b.setSource(Source.CLOUDWATCH).setHost("ip-" + id.replace('/', '-')).setGpuModel(CLOUD_MODEL)
                        .setCloud(CloudPlacement.newBuilder().setProvider("aws").setRegion("us-east-1")
                                .setInstanceType("p4d.24xlarge").setInstanceId("i-" + id.substring(2, id.indexOf('/'))).build())
                        .build();
            }
            float watts = 60 + 3 * util;
            energyMj += (long) (watts * STEP_MS);
            return b.setSource(Source.NVML).setHost("node-" + id.substring(0, id.indexOf('/'))).setGpuModel(ONPREM_MODEL)
                    .setPowerW(watts).setEnergyCounterMj(energyMj).build();
        }
    }

    public List<Checkpoint> run() {
        List<Checkpoint> result = new ArrayList<>();
        try {
            start();
            List<Gpu> fleet = new ArrayList<>();
            for (int i = 0; i < o.churnGpus(); i++) {
                fleet.add(new Gpu("n" + (i / 4) + "/" + (i % 4), Site.ONPREM, "churn", null));
            }
            fleet.add(new Gpu("i-svc0/0", Site.CLOUD, "service", "svc-a"));
            fleet.add(new Gpu("i-batch0/0", Site.CLOUD, "batch", null));
            long steps = o.days() * DAY_MS / STEP_MS;
            // mean job length (1 + L) / 2 samples makes churnGpus x steps / mean names
            double mean = (double) o.churnGpus() * steps / o.names();
            int maxJobSamples = (int) Math.max(1, Math.round(2 * mean - 1));
            out.accept(String.format("soak: %s + %d days, %d GPUs (%d churning on-prem, jobs 1..%d samples of 5 min), "
                            + "aiming at %,d job names; settings %s", o.start(), o.days(), fleet.size(), o.churnGpus(),
                    maxJobSamples, o.names(), o.settings()));
            long began = System.nanoTime();
            long checkpointStarted = began;
            for (long k = 1; k <= steps; k++) {
                long t = o.start().toEpochMilli() + k * STEP_MS;
                for (Gpu g : fleet) {
                    g.nextJobIfDone(maxJobSamples);
                    GpuSample s = g.sample(t);
                    costSamples.pipeInput(s.getGpuId().getBytes(StandardCharsets.UTF_8),
                            sampleBytes.serialize(Topics.GPU_SAMPLES, s), t);
                    driftSamples.pipeInput(s.getGpuId(), s, t);
                    series.add(seriesOf(InfluxPoints.sample(s)));
                    samples++;
                }
                // the wall clock moves with the data (a live fleet): the cost app emits each minute's increments, the
                // others get them
                cost.advanceWallClockTime(Duration.ofMillis(STEP_MS));
                for (TopologyTestDriver d : drivers) {
                    if (d != cost) {
                        d.advanceWallClockTime(Duration.ofMillis(STEP_MS));
                    }
                }
                for (TestRecord<String, CostRecord> r : costOut.readRecordsToList()) {
                    costRecords++;
                    series.add(seriesOf(InfluxPoints.cost(r.value())));
                    for (TestInputTopic<String, CostRecord> in : costConsumers) {
                        in.pipeInput(r.key(), r.value(), r.timestamp());
                    }
                }
                drains.forEach(Runnable::run);
                discardInternalTopics();
                if (k % (10 * DAY_MS / STEP_MS) == 0) {
                    System.err.printf("soak: day %d of %d, %.0f s%n", k * STEP_MS / DAY_MS, o.days(), (System.nanoTime() - began) / 1e9);
                }
                if (checkpointDue(t)) {
                    long now = System.nanoTime();
                    Checkpoint c = checkpoint(label(t), (now - checkpointStarted) / 1e9);
                    checkpointStarted = System.nanoTime();
                    result.add(c);
                    print(c);
                }
            }
            out.accept(String.format("soak: done in %.0f s, %,d samples, %,d gpu.cost records, %,d distinct workload names",
                    (System.nanoTime() - began) / 1e9, samples, costRecords, (long) nextJob + nextBatch + 1));
            return result;
        } finally {
            drivers.forEach(TopologyTestDriver::close);
        }
    }

    private boolean checkpointDue(long t) {
        var at = Instant.ofEpochMilli(t).atZone(ZoneOffset.UTC);
        boolean dayEnd = at.getHour() == 0 && at.getMinute() == 0;
        boolean last = t == o.start().toEpochMilli() + o.days() * DAY_MS;
        return last || (dayEnd && (!o.monthly() || at.getDayOfMonth() == 1));
    }

    private String label(long t) {
        Instant end = Instant.ofEpochMilli(t - 1);
        return o.monthly() ? end.toString().substring(0, 7) : end.toString().substring(0, 10);
    }

    private void start() {
        Settings settings = Settings.of(o.settings());
        Map<String, String> map = o.settings();
        Instant wall = o.start().plusSeconds(60);
        cost = driver("soak-cost", CostTopology.build(CostSettings.from(settings), false), wall);
        Serde<CostRecord> costSerde = AvroSerde.forValues(REGISTRY, CostRecord.class);
        costSamples = cost.createInputTopic(Topics.GPU_SAMPLES, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
        costOut = cost.createOutputTopic(Topics.GPU_COST, Serdes.String().deserializer(), costSerde.deserializer());

        DriftConfig driftConfig = DriftConfig.from(settings);
        TopologyTestDriver drift = driver("soak-drift", DriftTopology.build(driftConfig, false), wall);
        driftSamples = drift.createInputTopic(Topics.GPU_SAMPLES, Serdes.String().serializer(),
                AvroSerde.forValues(REGISTRY, GpuSample.class).serializer());
        costConsumers.add(drift.createInputTopic(Topics.GPU_COST, Serdes.String().serializer(), costSerde.serializer()));
        drain(drift, Topics.GPU_DRIFT, DriftSignal.class, InfluxPoints::drift);

        TopologyTestDriver rollup = driver("soak-rollup", MonthlyRollupTopology.build(RollupConfig.from(settings), false), wall);
        costConsumers.add(rollup.createInputTopic(Topics.GPU_COST, Serdes.String().serializer(), costSerde.serializer()));
        drain(rollup, Topics.GPU_ROLLUP_MONTHLY, MonthlyRollup.class, InfluxPoints::rollup);

        TopologyTestDriver alerts = driver("soak-alerts", SpendAlertTopology.build(AlertConfig.from(settings), false), wall);
        costConsumers.add(alerts.createInputTopic(Topics.GPU_COST, Serdes.String().serializer(), costSerde.serializer()));
        drain(alerts, Topics.GPU_ALERTS, SpendAlert.class, InfluxPoints::alert);

        TopologyTestDriver breakeven = driver("soak-breakeven", BreakEvenTopology.build(BreakEvenConfig.from(settings), false), wall);
        costConsumers.add(breakeven.createInputTopic(Topics.GPU_COST, Serdes.String().serializer(), costSerde.serializer()));
        drain(breakeven, Topics.GPU_BREAKEVEN, BreakEvenRecommendation.class, InfluxPoints::breakeven);

        for (TopologyTestDriver d : List.of(cost, alerts, breakeven)) {
            TestInputTopic<String, PriceEntry> prices = d.createInputTopic(Topics.GPU_PRICES, Serdes.String().serializer(),
                    AvroSerde.forValues(REGISTRY, PriceEntry.class).serializer());
            for (PriceEntry p : prices()) {
                prices.pipeInput(PriceKeys.topicKey(p), p);
            }
        }
        for (TopologyTestDriver d : drivers) {
            // a commit hook (runtime.CommitHook) keeps no data: nothing to bound
            d.getAllStateStores().forEach((name, store) -> {
                if (!(store instanceof costline.streams.runtime.CommitHook)) {
                    driverOfStore.put(name, d);
                }
            });
        }
    }

    private TopologyTestDriver driver(String app, Topology topology, Instant wall) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, app);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/costline-soak-" + UUID.randomUUID());
        TopologyTestDriver d = new TopologyTestDriver(topology, p, wall);
        drivers.add(d);
        return d;
    }

    private <T extends org.apache.avro.specific.SpecificRecord> void drain(TopologyTestDriver d, String topic, Class<T> type,
                                                                          java.util.function.Function<T, LinePoint> point) {
        TestOutputTopic<String, T> t = d.createOutputTopic(topic, Serdes.String().deserializer(),
                AvroSerde.forValues(REGISTRY, type).deserializer());
        drains.add(() -> {
            for (T v : t.readValuesToList()) {
                series.add(seriesOf(point.apply(v)));
            }
        });
    }

    private final Map<TopologyTestDriver, Map<String, TestOutputTopic<byte[], byte[]>>> internal = new LinkedHashMap<>();

    /**
     * TopologyTestDriver keeps every record written to any topic until it is read: the changelogs would otherwise
     * grow the heap this program measures. Records of the output topics are read by the drains.
     */
    private void discardInternalTopics() {
        for (TopologyTestDriver d : drivers) {
            Map<String, TestOutputTopic<byte[], byte[]>> topics = internal.computeIfAbsent(d, x -> new LinkedHashMap<>());
            for (String name : d.producedTopicNames()) {
                if (name.endsWith("-changelog") || name.endsWith("-repartition") || name.endsWith(".dlq")) {
                    topics.computeIfAbsent(name, n -> d.createOutputTopic(n, Serdes.ByteArray().deserializer(),
                            Serdes.ByteArray().deserializer())).readRecordsToList();
                }
            }
        }
    }

    private Checkpoint checkpoint(String label, double seconds) {
        Map<String, Long> entries = new TreeMap<>();
        driverOfStore.forEach((name, d) -> entries.put(name, count(d.getAllStateStores().get(name))));
        System.gc();
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long total = series.size();
        Checkpoint c = new Checkpoint(label, samples, costRecords, (long) nextJob + nextBatch + 1, entries, bounds(),
                heap, total, total - seriesAtLastCheckpoint, seconds);
        seriesAtLastCheckpoint = total;
        return c;
    }

    private void print(Checkpoint c) {
        StringBuilder b = new StringBuilder(String.format("%s: %,d samples, %,d gpu.cost records, %,d names so far, "
                        + "heap after GC %.1f MB, store series %,d (+%,d), %.0f s%n", c.label(), c.samples(), c.costRecords(),
                c.namesSoFar(), c.heapBytes() / 1e6, c.seriesTotal(), c.seriesNew(), c.seconds()));
        c.entries().forEach((store, n) -> b.append(String.format("    %-28s %,10d   (bound %,d)%n", store, n,
                c.bounds().getOrDefault(store, -1L))));
        out.accept(b.toString().stripTrailing());
    }

    private static long count(StateStore store) {
        long n = 0;
        if (store instanceof KeyValueStore<?, ?> kv) {
            try (KeyValueIterator<?, ?> it = kv.all()) {
                for (; it.hasNext(); it.next()) {
                    n++;
                }
            }
        } else if (store instanceof WindowStore<?, ?> w) {
            try (KeyValueIterator<?, ?> it = w.all()) {
                for (; it.hasNext(); it.next()) {
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * What each store may hold with the run's retentions: (retention + the expiry scan's step) x the rate of new names
     * (x 1.25 for the randomness of job lengths), plus what is always active. Names per ms are the run's design rate.
     */
    Map<String, Long> bounds() {
        CostSettings cost = CostSettings.from(Settings.of(o.settings()));
        DriftConfig drift = DriftConfig.from(Settings.of(o.settings()));
        BreakEvenConfig be = BreakEvenConfig.from(Settings.of(o.settings()));
        RollupConfig rollup = RollupConfig.from(Settings.of(o.settings()));
        int gpus = o.churnGpus() + CLOUD_GPUS;
        double jobsPerMs = 1.25 * o.names() / (o.days() * (double) DAY_MS);
        double batchPerMs = 1.25 / (24 * STEP_MS); // one batch GPU, jobs at least 2 h
        long dedup = cost.dedupWindowMs();
        Map<String, Long> b = new TreeMap<>();
        // the de-duplication memory: per GPU a head and chunks of SeenWindow.CHUNK samples of the window (plus its margin
        // and an expiry step); a GPU no longer sampled is deleted by the expiry scan
        long seenKeep = dedup + 60_000L + (dedup + 60_000L) / 10;
        b.put(CostTopology.SEEN_STORE_BY_GPU, gpus * (seenKeep / STEP_MS / 16 + 3));
        b.put(CostTopology.SEEN_BY_TIME_STORE, 0L); // the earlier layout's: never written
        b.put(CostTopology.SEEN_STORE, 0L); // the earlier layout's: never written
        b.put(CostTopology.ENERGY_STORE, (long) gpus);
        // a pending entry stays (with the key's last revision sequence) until its minute leaves the window
        b.put(CostTopology.PENDING_STORE, gpus * ((dedup + cost.maxIntervalMs()) / 60_000 + 2 * STEP_MS / 60_000 + 2));
        b.put(CostTopology.REVISIONS_STORE, 0L); // the earlier layout's: never written
        b.put(CostTopology.COUNTERS_STORE, 20L);
        // owned GPUs in gpu.inventory (none in this fleet: every GPU is bounded by the fleet's size) and, per owned GPU,
        // its closing cursor and the hours still open (the grace, the hour being sampled, the one closing)
        b.put(CostTopology.INVENTORY_STORE, (long) gpus);
        b.put(CostTopology.ACCRUAL_STORE, gpus * (cost.unobservedGraceMs() / 3_600_000L + 3));
        // the days from (newest - dedup window) to the newest: at most two, each with its count keys per site
        b.put(CostTopology.NAMES_STORE, (long) ((jobsPerMs + batchPerMs) * (dedup + DAY_MS + STEP_MS)) + gpus + 2 * 2);
        long driftKeep = drift.stateRetention().plus(costline.streams.runtime.StateExpiry.step(drift.stateRetention())).toMillis();
        b.put("drift-gpu-state", (long) gpus);
        b.put("drift-workload-state", (long) ((jobsPerMs + batchPerMs) * (driftKeep + STEP_MS)) + gpus);
        b.put("drift-workload-gpus", (long) ((jobsPerMs + batchPerMs) * (driftKeep + STEP_MS)) + gpus);
        // inputs not sent yet, by workload: every send empties it, and the wall clock moves a step (more than the send
        // interval) after each step's samples, so at most the workloads of one step's samples (one per sample)
        b.put("drift-workload-pending", (long) gpus);
        // rollup: every month whose FINAL + retention is not past: the newest 31 days + grace + retention of names
        long rollupKeep = 31 * DAY_MS + rollup.grace().toMillis() + rollup.retention().toMillis() + 3_600_000L;
        b.put(MonthlyRollupTopology.STORE, (long) ((jobsPerMs + batchPerMs) * rollupKeep) + 3L * gpus);
        // alerts: cloud scopes of the month (batch jobs, services, the fleet), one entry each
        b.put(SpendAlertTopology.STORE, (long) (batchPerMs * 31 * DAY_MS) + CLOUD_GPUS + 1);
        long beKeep = be.retention().plus(costline.streams.runtime.StateExpiry.step(be.retention())).toMillis();
        b.put(BreakEvenTopology.SCOPES, (long) (batchPerMs * (beKeep + STEP_MS)) + CLOUD_GPUS + 1);
        // one entry per scope and minute of demand over the demand store's retention (window + 1 day): the cloud GPUs'
        // scopes and the fleet
        b.put(BreakEvenTopology.DEMAND, 2L * CLOUD_GPUS * (be.window().plusDays(1).toMillis() / 60_000 + STEP_MS / 60_000));
        for (String prices : List.of(CostTopology.PRICES_STORE, SpendAlertTopology.PRICES, BreakEvenTopology.PRICES)) {
            b.put(prices, prices().size() + 1L); // every version and the store's generation counter
        }
        return b;
    }

    static List<PriceEntry> prices() {
        PriceEntry onprem = PriceEntry.newBuilder()
                .setPriceKey(PriceKeys.onPrem(ONPREM_MODEL)).setSite(Site.ONPREM).setGpuModel(ONPREM_MODEL)
                .setEffectiveFrom(Instant.parse("2025-01-01T00:00:00Z")).setReference("soak")
                .setOnprem(OnPremPrice.newBuilder().setCapexPerGpuMicroUsd(CostModel.microUsd("20000"))
                        .setResidualPerGpuMicroUsd(0).setAmortizationMonths(36)
                        .setYearlyOpsPerGpuMicroUsd(CostModel.microUsd("2500")).setPue(1.3)
                        .setEnergyMicroUsdPerKwh(CostModel.microUsd("0.12")).build())
                .build();
        PriceEntry cloud = PriceEntry.newBuilder()
                .setPriceKey(PriceKeys.cloud("aws", "us-east-1", "p4d.24xlarge")).setSite(Site.CLOUD).setGpuModel(CLOUD_MODEL)
                .setEffectiveFrom(Instant.parse("2025-01-01T00:00:00Z")).setReference("soak")
                .setCloudPrice(CloudPrice.newBuilder().setProvider("aws").setRegion("us-east-1")
                        .setInstanceType("p4d.24xlarge").setGpusPerInstance(8).setPricingModel("ON_DEMAND")
                        .setInstanceHourlyMicroUsd(CostModel.microUsd("21.96")).build())
                .build();
        return List.of(onprem, cloud);
    }

    /** The series of a point: its measurement and tags, the line protocol up to the first unescaped space. */
    static long seriesOf(LinePoint p) {
        String line = p.toLineProtocol();
        int end = 0;
        while (end < line.length() && line.charAt(end) != ' ') {
            end += line.charAt(end) == '\\' ? 2 : 1;
        }
        // 64 bits of two hashes: distinct series of a run this size collide with probability ~ n^2 / 2^65
        String key = line.substring(0, Math.min(end, line.length()));
        long h = 1125899906842597L;
        for (int i = 0; i < key.length(); i++) {
            h = 31 * h + key.charAt(i);
        }
        return h ^ ((long) key.hashCode() << 32);
    }

    /** An open-addressing set of longs: the series of a three-month run without a boxed Long each on the heap measured. */
    static final class LongSet {
        private long[] slots = new long[1 << 16];
        private boolean hasZero;
        private int size;

        void add(long v) {
            if (v == 0) {
                if (!hasZero) {
                    hasZero = true;
                    size++;
                }
                return;
            }
            if (size * 2 >= slots.length) {
                long[] old = slots;
                slots = new long[old.length * 2];
                size = hasZero ? 1 : 0;
                for (long x : old) {
                    if (x != 0) {
                        add(x);
                    }
                }
            }
            int mask = slots.length - 1;
            int i = (int) (v ^ (v >>> 29)) & mask;
            while (slots[i] != 0) {
                if (slots[i] == v) {
                    return;
                }
                i = (i + 1) & mask;
            }
            slots[i] = v;
            size++;
        }

        long size() {
            return size;
        }
    }
}
