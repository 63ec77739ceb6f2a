package costline.app.quickstart;

import costline.app.simulate.Fleet;
import costline.app.simulate.FleetSimulator;
import costline.app.simulate.SimulatedGpu;
import costline.app.view.LiveState;
import costline.app.view.LiveView;
import costline.events.GpuSample;
import costline.pricing.CostModel;
import costline.schemas.Topics;
import costline.schemas.registry.InProcessSchemaRegistryServer;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroSerializer;
import costline.streams.config.InfluxSettings;
import costline.streams.audit.AuditReport;
import costline.streams.audit.LedgerAudit;
import costline.streams.config.KafkaSettings;
import costline.streams.cost.CostSettings;
import costline.streams.finance.MonthCalendar;
import costline.streams.rollup.RollupConfig;
import costline.streams.config.Settings;
import costline.streams.focus.FocusExport;
import costline.streams.runtime.StreamsApp;
import costline.streams.runtime.StreamsRunner;
import costline.streams.prices.PriceCatalog;
import costline.streams.prices.PricesLoader;
import costline.streams.sink.InfluxSink;
import costline.streams.sink.QuestDbTables;
import costline.embedded.EmbeddedKafka;
import costline.embedded.EmbeddedQuestDb;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline in one process: an embedded broker, the in-process registry, an embedded QuestDB (the
 * InfluxDB-compatible store), the default price catalog, every topology on the class path, the sink, and a
 * simulated fleet on an accelerated clock. Each part can be swapped for an external one by the options.
 */
public final class Quickstart implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Quickstart.class);

    private final QuickstartOptions options;
    private final PrintStream out;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private boolean removalStarted;
    private Thread closer;
    private final LiveState state = new LiveState();
    private Path dataDir;
    private boolean temporaryData;
    private EmbeddedQuestDb store;
    private InfluxSink sink;
    private Settings settings;
    private String storeUrl;
    private long samplesProduced;
    private StreamsRunner runner;
    /** How long the simulation took to publish its samples, and the pipeline to consume everything after it. */
    private Duration simulationTime = Duration.ZERO;
    private Duration drainTime = Duration.ZERO;

    public Duration simulationTime() {
        return simulationTime;
    }

    public Duration drainTime() {
        return drainTime;
    }

    /** Records the topologies and the sink have still to consume, once the simulation has ended. */
    private volatile long pendingRecords = -1;

    public Quickstart(QuickstartOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** What a finished run produced. */
    public record Result(long samplesProduced, Instant simulatedEnd, Path outDir, String storeUrl, Duration wallTime,
                         boolean stopped) {
    }

    public Result run() throws Exception {
        long started = System.nanoTime();
        start();
        long simulating = System.nanoTime();
        Instant end = simulate();
        long simulated = System.nanoTime();
        awaitProcessed(end);
        simulationTime = Duration.ofNanos(simulated - simulating);
        drainTime = Duration.ofNanos(System.nanoTime() - simulated);
        Result result = new Result(samplesProduced, end, options.outDir(), storeUrl, Duration.ofNanos(System.nanoTime() - started),
                stopping.get());
        if (result.stopped()) {
            return result; // stopped (Ctrl-C): the outputs would be partial
        }
        out.printf("%nsimulated %d samples up to %s in %.1f s (simulation %.1f s, %,.0f samples/s; the pipeline drained %.1f s after it)%n",
                samplesProduced, end, result.wallTime().toMillis() / 1000.0, simulationTime.toMillis() / 1000.0,
                samplesProduced / Math.max(0.001, simulationTime.toNanos() / 1e9), drainTime.toMillis() / 1000.0);
        afterDrain();
        return result;
    }

    /**
     * Starts the pipeline without the simulated fleet: broker, registry, store, every topology, the price catalog, the
     * sink. For a test that feeds gpu.samples itself (the hostile corpus), then calls {@link #awaitDrained()} and
     * {@link #afterDrain()}, exactly what {@link #run()} does around its simulation.
     */
    public void start() throws IOException {
        startInfrastructure();
        startPipeline();
    }

    /**
     * Waits until every application and the sink have consumed everything written so far (see {@link #run()});
     * returns the records still not consumed (0, unless the pipeline made no progress for 10 minutes).
     */
    public long awaitDrained() throws Exception {
        return awaitProcessed(null);
    }

    /** Every application's KafkaStreams, as started (empty before {@link #start()}). */
    public List<org.apache.kafka.streams.KafkaStreams> streams() {
        return runner == null ? List.of() : runner.streams();
    }

    /**
     * What runs once the pipeline has drained, step by step, each printing one line; a later step (an audit, say)
     * is one more {@code step(...)} here. A stop request (Ctrl-C) skips the steps not yet started. The month is the
     * one of the options' start date.
     */
    public void afterDrain() throws Exception {
        YearMonth month = YearMonth.from(options.start());
        String bootstrap = settings.string(KafkaSettings.BOOTSTRAP);
        String registryUrl = settings.string(KafkaSettings.REGISTRY_URL);
        step("finance CSV for " + month, () -> QuickstartOutputs.financeCsv(bootstrap, registryUrl, month, options.outDir())
                .toAbsolutePath().toString());
        step("FOCUS 1.2 dataset", () -> {
            FocusExport.Result focus = QuickstartOutputs.focusCsv(bootstrap, registryUrl, month, options.outDir());
            return QuickstartOutputs.focusFile(month, options.outDir()).toAbsolutePath()
                    + " (EffectiveCost total $" + CostModel.toDollarsCents(focus.effectiveMicroUsd()) + ")";
        });
        step("report for " + month, () -> QuickstartOutputs.htmlReport(bootstrap, registryUrl, month, options.outDir())
                .toAbsolutePath().toString());
        step("break-even chart", () -> QuickstartOutputs.breakEvenChart(List.copyOf(state.recommendations().values()), options.outDir())
                .map(chart -> chart.toAbsolutePath().toString()).orElse("none: no recommendation was published"));
        if (!stopping.get()) {
            runAudit();
        }
    }

    // ---- the audit step: proves the month's money once the pipeline has drained (see costline audit) ----

    /** Differences the audit found (0 when every source agrees with the batch fold); -1 before it ran. */
    private int auditDifferences = -1;
    private AuditReport lastAudit;

    public int auditDifferences() {
        return auditDifferences;
    }

    /** The last audit's report (its fold's refusals by reason among it); null before it ran. */
    public AuditReport audit() {
        return lastAudit;
    }

    /**
     * Audits the month of the finance CSV against gpu.cost, the rollups, the store and the CSV, and prints the one
     * {@code audit:} line (with the table of differences before it when there are any). The store applies writes a
     * moment after acknowledging them, so a difference is looked at again a few times before it counts.
     */
    private void runAudit() throws InterruptedException {
        YearMonth month = YearMonth.from(options.start());
        InfluxSettings influx = InfluxSettings.from(settings);
        LedgerAudit.Options audit = new LedgerAudit.Options(KafkaSettings.clientProperties(settings),
                settings.string(KafkaSettings.REGISTRY_URL), month, new MonthCalendar(settings.zone(RollupConfig.ZONE)),
                CostSettings.from(settings), store != null ? LedgerAudit.StoreQuery.SQL : LedgerAudit.StoreQuery.INFLUXQL,
                influx.url(), influx.bucket(), influx.token(), options.outDir().resolve("costline-" + month + ".csv"),
                Duration.ofMinutes(5));
        long began = System.nanoTime();
        AuditReport report = LedgerAudit.run(audit);
        for (int attempt = 1; attempt < 5 && !report.differences().isEmpty(); attempt++) {
            Thread.sleep(2_000);
            report = LedgerAudit.run(audit);
        }
        auditDifferences = report.differences().size();
        lastAudit = report;
        report.skippedLines().forEach(line -> out.println("audit skipped: " + line));
        String took = String.format(java.util.Locale.ROOT, " (%.1f s)", (System.nanoTime() - began) / 1e9);
        if (auditDifferences > 0) {
            report.print(new java.io.PrintWriter(out, true));
            out.println("audit took" + took);
        } else {
            out.println(report.summary() + took);
        }
    }

    /** One step after the drain: prints "name: what it produced". */
    private void step(String name, java.util.concurrent.Callable<String> step) throws Exception {
        if (!stopping.get()) {
            out.println(name + ": " + step.call());
        }
    }

    /** The sink (its write counters), once the pipeline runs. */
    public InfluxSink sink() {
        return sink;
    }

    /** The store, when it is the embedded QuestDB (null with --influx-url). */
    public EmbeddedQuestDb store() {
        return store;
    }

    public Settings settings() {
        return settings;
    }

    public LiveState liveState() {
        return state;
    }

    private void startInfrastructure() throws IOException {
        temporaryData = options.dataDir() == null;
        dataDir = temporaryData ? Files.createTempDirectory("costline-quickstart-") : Files.createDirectories(options.dataDir());
        Files.createDirectories(options.outDir());
        out.println("data under " + dataDir + (temporaryData ? " (temporary: removed at exit)" : ""));

        String bootstrap = options.bootstrapServers();
        if (bootstrap == null) {
            EmbeddedKafka kafka = EmbeddedKafka.start(dataDir);
            resources.add(0, kafka);
            bootstrap = kafka.bootstrapServers();
            out.println("Kafka (embedded, KRaft) on " + bootstrap);
        }
        String registryUrl = options.registryUrl();
        if (registryUrl == null) {
            InProcessSchemaRegistryServer registry = InProcessSchemaRegistryServer.start();
            resources.add(0, registry);
            registryUrl = registry.url();
            out.println("schema registry (in-process) on " + registryUrl);
        }
        Map<String, String> values = new HashMap<>();
        values.put(KafkaSettings.BOOTSTRAP.key(), bootstrap);
        values.put(KafkaSettings.REGISTRY_URL.key(), registryUrl);
        values.put(KafkaSettings.STATE_DIR.key(), dataDir.resolve("streams").toString());
        values.put(KafkaSettings.COMMIT_MS.key(), "1000");
        // drift too: its own default (5 s) saves transactions on a live fleet, but the drain of a replay waits for two
        // of its commits in a row (the GPU side's, then the workload side's), which took the month past 60 s
        values.put(costline.streams.drift.DriftConfig.COMMIT_INTERVAL.key(), "1s");
        values.put(StreamsRunner.PARTITIONS.key(), "3");
        // The simulation replays past months faster than real time: months close and recommendations are
        // recomputed on the simulated clock (stream time), not the wall clock.
        values.put(RollupConfig.WALL_CLOCK_CLOSE.key(), "false");
        values.put(costline.streams.breakeven.BreakEvenConfig.SCHEDULE.key(), "STREAM_TIME");
        // and owned GPUs' hours close as the samples' time passes: booked by the wall clock, a month replayed in minutes
        // would put its hours, and the months up to today, in gpu.cost ahead of the samples
        values.put(costline.streams.cost.CostSettings.UNOBSERVED_CLOCK.key(), "STREAM_TIME");
        // Hourly recomputes (and price checks every minute) of replayed time come hundreds of times a wall-clock second
        // in a replay this fast, each reading every scope's 30-day demand curve: most of the break-even thread's time in
        // the profile. A replay recomputes daily and checks prices hourly; the month's last recommendation is the same.
        values.put(costline.streams.breakeven.BreakEvenConfig.INTERVAL.key(), "1d");
        values.put(costline.streams.breakeven.BreakEvenConfig.PRICE_CHECK_INTERVAL.key(), "1h");
        // The cost topology's partitions run hours apart in a replay this fast: wait longer for a minute's increments.
        values.put(costline.streams.drift.DriftConfig.COST_GRACE.key(), "2h");
        if (options.influxUrl() == null) {
            store = EmbeddedQuestDb.start(dataDir.resolve("questdb"));
            resources.add(0, store);
            QuestDbTables.ddl().forEach(store::sql);
            storeUrl = store.url();
            values.put(InfluxSettings.URL.key(), store.url());
            values.put(InfluxSettings.TOKEN.key(), "quickstart"); // QuestDB takes the InfluxDB API without a token
            out.println("store (embedded QuestDB, InfluxDB write API) on " + store.url());
        } else {
            storeUrl = options.influxUrl();
            values.put(InfluxSettings.URL.key(), options.influxUrl());
            values.put(InfluxSettings.ORG.key(), options.influxOrg());
            values.put(InfluxSettings.BUCKET.key(), options.influxBucket());
            values.put(InfluxSettings.TOKEN.key(), options.influxToken());
            out.println("store (external InfluxDB) at " + options.influxUrl());
        }
        settings = Settings.of(values);
    }

    private void startPipeline() {
        Properties client = KafkaSettings.clientProperties(settings);
        String registryUrl = settings.string(KafkaSettings.REGISTRY_URL);
        List<StreamsApp> apps = StreamsRunner.discover();
        runner = new StreamsRunner();
        resources.add(0, runner);
        runner.start(settings, apps);
        out.println("topologies: " + apps.stream().map(StreamsApp::name).toList());

        int prices = PricesLoader.load(client, registryUrl, PriceCatalog.readDefault());
        out.println("price catalog: " + prices + " entries loaded into " + Topics.GPU_PRICES);
        // the simulated on-prem server is owned: its GPUs cost money by the hour from the first simulated day on,
        // sampled or not (the hours no sample covers show as the workload `unobserved`)
        Instant inService = options.start().atStartOfDay(ZoneOffset.UTC).toInstant();
        List<costline.events.OwnedGpu> owned = Fleet.inventory(Fleet.standard(inService), inService);
        costline.streams.inventory.InventoryLoader.load(client, registryUrl,
                new costline.streams.inventory.InventoryFile.Inventory(owned, List.of()));
        out.println("inventory: " + owned.size() + " owned GPUs in service from " + inService + " (the simulated server and a spare, "
                + Fleet.SPARE_HOST + ", that runs nothing) loaded into " + Topics.GPU_INVENTORY);

        // the sink's dead-letter topic: on a broker that does not create topics on first use (the embedded one, most
        // production ones) every dead letter would otherwise wait max.block.ms and fail
        costline.streams.runtime.StreamsRunner.createTopics(settings, java.util.Map.of(costline.schemas.Topics.GPU_SINK_DLQ, "delete"));
        sink = new InfluxSink(client, registryUrl, InfluxSettings.from(settings),
                costline.streams.cost.CostSettings.from(settings));
        Thread sinkThread = new Thread(() -> {
            try {
                sink.run();
            } finally {
                sink.release();
            }
        }, "quickstart-sink");
        sinkThread.start();
        resources.add(0, () -> {
            sink.close();
            sinkThread.join(30_000);
        });

        LiveFeed feed = new LiveFeed(client, registryUrl, state);
        feed.start();
        resources.add(0, feed);
    }

    private Instant simulate() throws InterruptedException {
        Instant start = options.start().atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant end = start.plus(Duration.ofDays(options.days()));
        List<SimulatedGpu> fleet = Fleet.standard(start.plus(Duration.ofDays(Math.max(1, options.days() * 2L / 5))));
        FleetSimulator simulator = new FleetSimulator(fleet, options.sampleInterval(), options.seed());

        Properties props = KafkaSettings.clientProperties(settings);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        long rounds = Duration.between(start, end).dividedBy(options.sampleInterval());
        long wallNanosPerRound = options.wallTime().toNanos() / Math.max(1, rounds);
        long began = System.nanoTime();
        long lastDraw = 0;
        Optional<RealGpus> real = RealGpus.tryOpen(options.nvmlLibrary(), out);
        try (KafkaProducer<String, GpuSample> producer = new KafkaProducer<>(props, new StringSerializer(),
                new AvroSerializer<>(SchemaRegistries.forUrl(settings.string(KafkaSettings.REGISTRY_URL))))) {
            for (long round = 1; round <= rounds && !stopping.get(); round++) {
                Instant t = start.plus(options.sampleInterval().multipliedBy(round));
                List<GpuSample> samples = new ArrayList<>(simulator.round(t));
                real.ifPresent(gpus -> samples.addAll(gpus.round(t, options.sampleInterval())));
                for (GpuSample sample : samples) {
                    // The record's timestamp is the sample's own time: Streams works in event time.
                    producer.send(new ProducerRecord<>(Topics.GPU_SAMPLES, null, t.toEpochMilli(), sample.getGpuId(), sample));
                    samplesProduced++;
                }
                long due = began + wallNanosPerRound * round;
                long ahead = due - System.nanoTime();
                if (ahead > 0) {
                    Thread.sleep(ahead / 1_000_000, (int) (ahead % 1_000_000));
                }
                if (System.nanoTime() - lastDraw > 1_000_000_000L) {
                    lastDraw = System.nanoTime();
                    draw((double) round / rounds);
                }
            }
            producer.flush();
        } finally {
            real.ifPresent(RealGpus::close);
        }
        return end;
    }

    /**
     * Waits until every application and the sink have consumed everything (their committed offsets reach the
     * end of each partition they read), so the outputs are complete; gives up after 10 minutes without progress.
     */
    private long awaitProcessed(Instant end) throws Exception {
        List<String> groups = new ArrayList<>();
        StreamsRunner.discover().forEach(app -> groups.add(settings.string(KafkaSettings.APP_ID_PREFIX) + "-" + app.name()));
        groups.add(InfluxSettings.from(settings).groupId());
        long lastLag = Long.MAX_VALUE;
        long lastProgress = System.nanoTime();
        // Consumed is not yet written: the cost topology holds increments up to cost.emit-interval and the rollups hold
        // month-to-date totals up to rollup.emit-interval, each then waiting for its commit. A lag of 0 counts once it
        // has stayed 0 for longer than both holds one after the other (cost, then the rollup of what cost emitted).
        long settleNanos = settleTime().toNanos();
        long zeroSince = -1;
        try (Admin admin = Admin.create(KafkaSettings.clientProperties(settings))) {
            while (!stopping.get()) {
                long lag = lag(admin, groups);
                if (lag == 0) {
                    if (zeroSince < 0) {
                        zeroSince = System.nanoTime();
                    }
                    if (System.nanoTime() - zeroSince >= settleNanos) {
                        break;
                    }
                    Thread.sleep(250);
                    continue;
                }
                zeroSince = -1;
                if (lag < lastLag) {
                    lastLag = lag;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > Duration.ofMinutes(10).toNanos()) {
                    LOG.warn("the pipeline made no progress for 10 minutes with {} records left; writing outputs anyway", lag);
                    pendingRecords = 0;
                    return lag;
                }
                pendingRecords = lag;
                draw(1.0);
                Thread.sleep(1000);
            }
        }
        pendingRecords = 0;
        draw(1.0);
        return 0;
    }

    /** How long every lag must stay 0: two holds (emit interval + commit interval each) and a second of slack. */
    private Duration settleTime() {
        long commitMs = settings.longValue(KafkaSettings.COMMIT_MS);
        Duration costHold = settings.duration(costline.streams.cost.CostSettings.EMIT_INTERVAL).plusMillis(commitMs);
        Duration rollupHold = settings.duration(RollupConfig.EMIT_INTERVAL).plusMillis(commitMs);
        return costHold.plus(rollupHold).plusSeconds(1);
    }

    /**
     * Records not yet consumed by {@code groups}: over every partition of each topic a group has committed an offset
     * for, and of the sink's topics for the sink's group. A partition without a committed offset counts from its
     * first record (a consumer stuck on its first batch of a partition must not look drained).
     */
    private long lag(Admin admin, List<String> groups) throws Exception {
        InfluxSettings influx = InfluxSettings.from(settings);
        long lag = 0;
        for (String group : groups) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            if (committed.isEmpty()) {
                return Long.MAX_VALUE; // not started consuming yet
            }
            java.util.Set<String> topics = new java.util.TreeSet<>();
            committed.keySet().forEach(tp -> topics.add(tp.topic()));
            if (group.equals(influx.groupId())) {
                topics.addAll(influx.topics());
            }
            List<String> existing = new ArrayList<>(admin.listTopics().names().get());
            existing.retainAll(topics);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            admin.describeTopics(existing).allTopicNames().get().values().forEach(d -> d.partitions().forEach(p -> {
                TopicPartition tp = new TopicPartition(d.name(), p.partition());
                latest.put(tp, OffsetSpec.latest());
                earliest.put(tp, OffsetSpec.earliest());
            }));
            var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
            var starts = admin.listOffsets(earliest).all().get();
            for (TopicPartition tp : latest.keySet()) {
                OffsetAndMetadata at = committed.get(tp);
                long position = at != null ? at.offset() : starts.get(tp).offset();
                // Under exactly-once the last offset of a partition is often the producer's commit marker,
                // which a consumer that has read everything never commits past: one left is none left.
                long behind = ends.get(tp).offset() - position;
                lag += behind > 1 ? behind : 0;
            }
        }
        return lag;
    }

    private void draw(double produced) {
        if (options.liveView()) {
            out.print("\033[H\033[2J");
            out.print(LiveView.render(state, produced));
            out.flush();
        } else {
            out.printf("progress %s, cost processed up to %s%s%n", LiveView.progressBar(produced, 30), state.latest(),
                    pendingRecords > 0 ? ", " + pendingRecords + " records still to process" : "");
        }
    }

    /** Asks a running {@link #run()} to stop producing (Ctrl-C). */
    public void stop() {
        stopping.set(true);
    }

    /** Where the data lives (the broker's, Streams' and the store's); null before the run has started. */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Closes every part in order (view, sink, topologies, registry, store, broker) on a thread of its own and waits for
     * it at most {@code budget}; returns whether everything closed in time. Called again, it waits for the same close.
     */
    public boolean closeWithin(Duration budget) {
        Thread t;
        synchronized (this) {
            if (closer == null) {
                closer = new Thread(this::closeResources, "quickstart-close");
                closer.setDaemon(true);
                closer.start();
            }
            t = closer;
        }
        try {
            t.join(Math.max(1, budget.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !t.isAlive();
    }

    private void closeResources() {
        List<AutoCloseable> parts;
        synchronized (this) {
            parts = List.copyOf(resources);
            resources.clear();
        }
        for (AutoCloseable resource : parts) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", resource, e.toString());
            }
        }
    }

    /**
     * Removes the temporary data folder without making the user wait: a detached shell waits for this process to end
     * (so nothing is still writing there) and then deletes it. Where no shell can be started, says where it was left.
     */
    public synchronized void removeTemporaryData() {
        // synchronized: the shutdown hook and the main thread both call this; the second waits until the first has
        // said where the data went, since the JVM ends as soon as the hook returns.
        if (!temporaryData || dataDir == null || removalStarted) {
            return;
        }
        removalStarted = true;
        try {
            new ProcessBuilder("sh", "-c", "while kill -0 \"$1\" 2>/dev/null; do sleep 0.2; done; rm -rf -- \"$2\"", "costline-cleanup",
                    String.valueOf(ProcessHandle.current().pid()), dataDir.toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            out.println("temporary data " + dataDir + " is removed in the background once this process has ended");
        } catch (IOException e) {
            out.println("temporary data left in " + dataDir + " (delete it by hand: " + e.getMessage() + ")");
        }
    }

    /** For tests and the normal end of a run: an orderly close (at most 60 s), then the temporary data's removal. */
    @Override
    public void close() {
        stop();
        if (!closeWithin(Duration.ofSeconds(60))) {
            LOG.warn("the pipeline did not close within 60 s");
        }
        removeTemporaryData();
    }
}
