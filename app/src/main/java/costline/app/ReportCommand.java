package costline.app;

import costline.app.report.HtmlReport;
import costline.app.report.MonthData;
import costline.app.report.MonthDataReader;
import costline.events.MonthlyRollup;
import costline.events.RollupStatus;
import costline.pricing.CostModel;
import costline.schemas.Topics;
import costline.streams.config.Settings;
import costline.streams.config.SettingsException;
import costline.streams.focus.CloudPlacements;
import costline.streams.focus.FocusColumns;
import costline.streams.focus.FocusCsv;
import costline.streams.focus.FocusExport;
import costline.streams.focus.FocusMetadata;
import costline.streams.focus.FocusSettings;
import costline.streams.rollup.MonthlyReport;
import costline.streams.config.Skips;
import costline.streams.rollup.RollupTopicReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** Reports for finance, read from Kafka. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Reports for finance, read from Kafka: the month's CSV, the month's report as one HTML file, and the month as a FOCUS dataset.",
        subcommands = {ReportCommand.Monthly.class, ReportCommand.HtmlCommand.class, ReportCommand.Focus.class})
final class ReportCommand implements Runnable {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code report monthly --month 2026-10}: the month's rollups as CSV, the latest record per key of gpu.rollup.monthly. */
    @Command(name = "monthly", mixinStandardHelpOptions = true,
            description = {"CSV of one month's cost per workload, team, site and GPU model, with a TOTAL row.",
                    "Reads the compacted rollup topic (latest record per key), not InfluxDB."})
    static final class Monthly implements Callable<Integer> {

        @Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        MonthOptions source = new MonthOptions();
        @Option(names = "--topic", defaultValue = Topics.GPU_ROLLUP_MONTHLY, description = "Rollup topic (default: ${DEFAULT-VALUE}).")
        String topic;
        @Option(names = {"-o", "--output"}, defaultValue = "-", description = "CSV file, or - for standard output (default).")
        String output;
        @Option(names = "--timeout", defaultValue = "60s", converter = DurationConverter.class, description = "How long reading the topic may take, e.g. 60s, 5m or PT1M (default: ${DEFAULT-VALUE}).")
        Duration timeout;
        @Option(names = "--require-final", description = "Fail (exit 3) when a row of the month is still MONTH_TO_DATE.")
        boolean requireFinal;

        @Override
        public Integer call() throws Exception {
            if (source.yearMonth(spec.commandLine().getErr(), "report monthly") == null) {
                return 2;
            }
            String month = source.month;
            Skips skips = new Skips(topic);
            Map<String, MonthlyRollup> rows = RollupTopicReader.latestOfMonth(source.bootstrap, source.registryUrl, topic, month, timeout, skips);
            printSkips(spec, skips.summary());
            long open = rows.values().stream().filter(r -> r.getStatus() == RollupStatus.MONTH_TO_DATE).count();
            if (output.equals("-")) {
                MonthlyReport.write(month, rows.values(), spec.commandLine().getOut());
            } else {
                try (Writer w = new OutputStreamWriter(Files.newOutputStream(Path.of(output)), StandardCharsets.UTF_8)) {
                    MonthlyReport.write(month, rows.values(), w);
                }
                spec.commandLine().getErr().println("wrote " + rows.size() + " rows and a TOTAL row to " + output);
            }
            if (open > 0) {
                spec.commandLine().getErr().println("note: " + open + " of " + rows.size()
                        + " rows are MONTH_TO_DATE: the month has not closed (end + grace) yet");
                if (requireFinal) {
                    return 3;
                }
            }
            return 0;
        }
    }

    /**
     * {@code report html --month 2026-10}: the month's report as one self-contained HTML file (totals, daily cost,
     * cloud against the on-prem line, idle share, GPU-hours, recommendations, drift, the rollup rows and their sources).
     */
    @Command(name = "html", mixinStandardHelpOptions = true,
            description = {"The month's report as one self-contained HTML file: opens offline, prints to PDF from a browser.",
                    "Reads gpu.rollup.monthly, gpu.cost, gpu.alerts, gpu.breakeven and gpu.drift from Kafka."})
    static final class HtmlCommand implements Callable<Integer> {

        @Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        MonthOptions source = new MonthOptions();
        @Option(names = {"-o", "--output"}, description = "HTML file (default: costline-<month>.html in the current folder).")
        Path output;
        @Option(names = "--timeout", defaultValue = "120s", converter = DurationConverter.class, description = "How long reading each topic may take, e.g. 120s, 5m or PT2M (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() throws Exception {
            YearMonth ym = source.yearMonth(spec.commandLine().getErr(), "report html");
            if (ym == null) {
                return 2;
            }
            Path file = output != null ? output : Path.of("costline-" + ym + ".html");
            MonthData data = MonthDataReader.read(source.bootstrap, source.registryUrl, ym, timeout);
            data.skipped().forEach(line -> printSkips(spec, line));
            Files.writeString(file, HtmlReport.render(data, Instant.now(), "Kafka " + source.bootstrap), StandardCharsets.UTF_8);
            spec.commandLine().getErr().println("wrote " + file + (data.empty() ? " (no data for " + ym + ")" : ""));
            return 0;
        }
    }

    @Command(name = "focus", mixinStandardHelpOptions = true,
            description = {"FOCUS 1.2 CSV of one month's rollups: one Usage row per workload, team, site and GPU model,",
                    "and a Correction row per key corrected after FINAL. Reads every record of the month on the rollup topic."})
    static final class Focus implements Callable<Integer> {

        @Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        MonthOptions source = new MonthOptions();
        @Option(names = "--topic", defaultValue = Topics.GPU_ROLLUP_MONTHLY, description = "Rollup topic (default: ${DEFAULT-VALUE}).")
        String topic;
        @Option(names = {"-o", "--output"}, defaultValue = "-", description = "CSV file (gzip when it ends .gz), or - for standard output (default).")
        String output;
        @Option(names = "--gzip", description = "gzip the output even without a .gz name.")
        boolean gzip;
        @Option(names = "--catalog", description = "Price catalog that tells a cloud GPU model's provider and region (default: the shipped catalog).")
        Path catalog;
        @Option(names = "--config", description = "Settings file with focus.* keys (provider and billing account names).")
        Path config;
        @Option(names = "--timeout", defaultValue = "60s", converter = DurationConverter.class, description = "How long reading the topic may take, e.g. 60s, 5m or PT1M (default: ${DEFAULT-VALUE}).")
        Duration timeout;
        @Option(names = "--require-final", description = "Fail (exit 3) when a row of the month is still MONTH_TO_DATE.")
        boolean requireFinal;

        @Override
        public Integer call() throws Exception {
            YearMonth ym = source.yearMonth(spec.commandLine().getErr(), "report focus");
            if (ym == null) {
                return 2;
            }
            FocusSettings settings;
            try {
                settings = FocusSettings.from(costline.streams.runtime.SettingsCatalog.load(config, System.getenv()));
            } catch (SettingsException e) {
                spec.commandLine().getErr().println("configuration error: " + e.getMessage());
                return 2;
            }
            Skips skips = new Skips(topic);
            List<MonthlyRollup> history = RollupTopicReader.historyOfMonth(source.bootstrap, source.registryUrl, topic, ym.toString(),
                    timeout, skips);
            printSkips(spec, skips.summary());
            FocusExport.Result result = new FocusExport(settings, CloudPlacements.of(PricesCommand.catalog(catalog)))
                    .export(ym, history);
            if (output.equals("-")) {
                FocusCsv.write(result, spec.commandLine().getOut());
            } else {
                try (OutputStream o = Files.newOutputStream(Path.of(output))) {
                    FocusCsv.write(result, o, gzip || output.endsWith(".gz"));
                }
                FocusMetadata.writeBeside(Path.of(output), java.time.Instant.now());
            }
            spec.commandLine().getErr().println("FOCUS " + FocusColumns.FOCUS_VERSION + ": " + result.rows().size() + " rows ("
                    + result.corrections() + " corrections), EffectiveCost total $" + CostModel.toDollars(result.effectiveMicroUsd())
                    + " = rollup total $" + CostModel.toDollars(result.rollupMicroUsd())
                    + (output.equals("-") ? "" : ", written to " + output));
            if (result.openRows() > 0) {
                spec.commandLine().getErr().println("note: " + result.openRows()
                        + " rows are MONTH_TO_DATE (x_RollupStatus): the month has not closed (end + grace) yet");
                if (requireFinal) {
                    return 3;
                }
            }
            return 0;
        }
    }

    /**
     * A line on stderr for records a report left out (e.g. {@code gpu.rollup.monthly: 2 records skipped (BAD_MAGIC_BYTE 1,
     * NULL_VALUE 1)}): never silent, never the end of the report. Nothing when none was.
     */
    static void printSkips(CommandLine.Model.CommandSpec spec, String summary) {
        if (summary != null) {
            spec.commandLine().getErr().println("skipped: " + summary);
        }
    }
}
