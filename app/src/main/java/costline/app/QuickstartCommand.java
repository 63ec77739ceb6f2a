package costline.app;

import costline.app.quickstart.Quickstart;
import costline.app.quickstart.QuickstartOptions;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code costline quickstart}: the whole pipeline in one process over a simulated month. */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = {"Run everything in one process: embedded Kafka, schema registry and QuestDB store, the default "
                + "price catalog, every topology, the sink and a simulated fleet on an accelerated clock.",
                "Writes the finance CSV, the month's HTML report and the break-even chart to --out; the store's SQL console stays up until Ctrl-C.",
                "Logs go to quickstart.log (in --data-dir when given, else in --out); Ctrl-C ends it within 10 s."})
final class QuickstartCommand implements Callable<Integer> {

    @Option(names = "--start", description = "First simulated day, UTC (default: the first day of last month).")
    LocalDate start;

    @Option(names = "--days", description = "Simulated days (default: last month's length + 2, so the month closes).")
    Integer days;

    @Option(names = "--sample-interval", defaultValue = "300s", converter = DurationConverter.class,
            description = "Simulated time per sample, whole seconds (default: ${DEFAULT-VALUE}: a month is ~200,000 samples).")
    Duration sampleInterval;

    @Option(names = "--duration", defaultValue = "180s", converter = DurationConverter.class,
            description = "Real time the simulation takes at least; 0s = as fast as it goes (default: ${DEFAULT-VALUE}).")
    Duration wall;

    @Option(names = "--data-dir", description = "Keep the broker's and the store's data here (default: a temporary folder, deleted at exit).")
    Path dataDir;

    @Option(names = "--out", defaultValue = "costline-quickstart", description = "Folder for the finance CSV and the chart (default: ${DEFAULT-VALUE}).")
    Path outDir;

    @Option(names = "--bootstrap-servers", description = "Use this Kafka instead of the embedded broker.")
    String bootstrapServers;

    @Option(names = "--registry-url", description = "Use this schema registry instead of the in-process one.")
    String registryUrl;

    @Option(names = "--influx-url", description = "Write to this InfluxDB 2.x instead of the embedded QuestDB (token: COSTLINE_INFLUX_TOKEN).")
    String influxUrl;

    @Option(names = "--influx-org", defaultValue = "costline", description = "InfluxDB organization (default: ${DEFAULT-VALUE}).")
    String influxOrg;

    @Option(names = "--influx-bucket", defaultValue = "costline", description = "InfluxDB bucket (default: ${DEFAULT-VALUE}).")
    String influxBucket;

    @Option(names = "--no-view", description = "Print progress lines instead of redrawing the terminal view.")
    boolean noView;

    @Option(names = "--exit", description = "Exit when the run is done instead of keeping the store's console up.")
    boolean exit;

    @Option(names = "--nvml-library", defaultValue = "libnvidia-ml.so.1",
            description = "NVML library; when it loads, this machine's real GPUs join the simulated fleet (default: ${DEFAULT-VALUE}).")
    String nvmlLibrary;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the simulated fleet (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        YearMonth lastMonth = YearMonth.now(ZoneOffset.UTC).minusMonths(1);
        LocalDate first = start != null ? start : lastMonth.atDay(1);
        int simulatedDays = days != null ? days : YearMonth.from(first).lengthOfMonth() + 2;
        QuickstartOptions options = new QuickstartOptions(first, simulatedDays, sampleInterval,
                wall, dataDir, outDir, bootstrapServers, registryUrl, influxUrl, influxOrg,
                influxBucket, System.getenv("COSTLINE_INFLUX_TOKEN"), !noView && System.console() != null, !exit, seed, nvmlLibrary);
        PrintStream console = System.err;
        Path log = redirectLogs(options);
        System.out.println("log: " + log.toAbsolutePath() + " (the broker's, Streams' and the store's messages; QuestDB's own in "
                + "its data folder)");
        Quickstart quickstart = new Quickstart(options, System.out);
        // Ctrl-C or SIGTERM: stop producing, close in order for at most CLOSE_BUDGET, then end whatever the state, so
        // the process is gone within 10 s; temporary data is removed in the background after the exit.
        java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (finished.get()) {
                return; // the run ended on its own and has closed (or given up closing) already
            }
            quickstart.stop();
            System.out.println();
            System.out.println("stopping (at most " + CLOSE_BUDGET.toSeconds() + " s)");
            boolean closed = quickstart.closeWithin(CLOSE_BUDGET);
            quickstart.removeTemporaryData();
            System.out.flush();
            if (!closed) {
                Runtime.getRuntime().halt(130);
            }
        }, "quickstart-shutdown"));
        try {
            Quickstart.Result result = quickstart.run();
            if (result.stopped()) {
                return 130;
            }
            System.out.println("outputs in " + result.outDir().toAbsolutePath());
            if (quickstart.store() != null) {
                System.out.println("SQL console of the store: " + quickstart.store().url() + "  (try: select workload, sum(cost_usd) from gpu_cost)");
            }
            if (options.stayUp()) {
                System.out.println("running until Ctrl-C");
                new CountDownLatch(1).await();
            }
            // the audit found money that does not add up: the run is not a success (-1: stopped before it ran)
            return quickstart.auditDifferences() > 0 ? 1 : 0;
        } catch (Exception e) {
            // The one thing a healthy run never shows: say it on the terminal, with the details in the log.
            console.println("quickstart failed: " + e + " (details in " + log.toAbsolutePath() + ")");
            e.printStackTrace();
            return 1;
        } finally {
            quickstart.stop();
            // Kept data deserves an orderly close (Streams checkpoints its state); temporary data is removed anyway.
            Duration budget = options.dataDir() != null ? Duration.ofSeconds(30) : CLOSE_BUDGET;
            if (!quickstart.closeWithin(budget) && options.dataDir() != null) {
                System.out.println("the pipeline did not close within " + budget.toSeconds() + " s; ending anyway");
            }
            quickstart.removeTemporaryData();
            finished.set(true);
        }
    }

    /** How long an orderly close may take before the process ends anyway (Ctrl-C must end it within 10 s). */
    static final Duration CLOSE_BUDGET = Duration.ofSeconds(5);

    /**
     * Sends everything logged to standard error (slf4j-simple writes to whatever System.err is when it writes) into
     * {@code quickstart.log}: in the data folder when it is kept, else in the output folder, since temporary data is
     * removed at exit. The terminal keeps the live view, and a healthy run prints nothing to standard error.
     */
    private static Path redirectLogs(QuickstartOptions options) throws java.io.IOException {
        Path folder = Files.createDirectories(options.dataDir() != null ? options.dataDir() : options.outDir());
        Path log = folder.resolve("quickstart.log");
        System.setErr(new PrintStream(Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND), true,
                StandardCharsets.UTF_8));
        return log;
    }
}
