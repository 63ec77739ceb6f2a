package costline.app;

import costline.app.report.HtmlReport;
import costline.app.report.MonthData;
import costline.app.report.MonthDataReader;
import costline.events.MonthlyRollup;
import costline.events.RollupStatus;
import costline.schemas.Topics;
import costline.streams.rollup.MonthlyReport;
import costline.streams.rollup.RollupTopicReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Reports for finance, read from Kafka. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Reports for finance, read from Kafka: the month's CSV, and the month's report as one HTML file.",
        subcommands = {ReportCommand.Monthly.class, ReportCommand.HtmlCommand.class})
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

        @Option(names = "--month", required = true, description = "Calendar month, YYYY-MM.")
        String month;
        @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", description = "Kafka (default: ${DEFAULT-VALUE}).")
        String bootstrap;
        @Option(names = "--registry-url", defaultValue = "http://localhost:8081", description = "Schema registry (default: ${DEFAULT-VALUE}).")
        String registryUrl;
        @Option(names = "--topic", defaultValue = Topics.GPU_ROLLUP_MONTHLY, description = "Rollup topic (default: ${DEFAULT-VALUE}).")
        String topic;
        @Option(names = {"-o", "--output"}, defaultValue = "-", description = "CSV file, or - for standard output (default).")
        String output;
        @Option(names = "--timeout", defaultValue = "PT60S", description = "How long reading the topic may take, ISO-8601 (default: ${DEFAULT-VALUE}).")
        Duration timeout;
        @Option(names = "--require-final", description = "Fail (exit 3) when a row of the month is still MONTH_TO_DATE.")
        boolean requireFinal;

        @Override
        public Integer call() throws Exception {
            try {
                YearMonth.parse(month);
            } catch (DateTimeParseException e) {
                spec.commandLine().getErr().println("report monthly: --month '" + month + "' is not YYYY-MM, e.g. 2026-10");
                return 2;
            }
            Map<String, MonthlyRollup> rows = RollupTopicReader.latestOfMonth(bootstrap, registryUrl, topic, month, timeout);
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

        @Option(names = "--month", required = true, description = "Calendar month, YYYY-MM.")
        String month;
        @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", description = "Kafka (default: ${DEFAULT-VALUE}).")
        String bootstrap;
        @Option(names = "--registry-url", defaultValue = "http://localhost:8081", description = "Schema registry (default: ${DEFAULT-VALUE}).")
        String registryUrl;
        @Option(names = {"-o", "--output"}, description = "HTML file (default: costline-<month>.html in the current folder).")
        Path output;
        @Option(names = "--timeout", defaultValue = "PT120S", description = "How long reading each topic may take, ISO-8601 (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() throws Exception {
            YearMonth ym;
            try {
                ym = YearMonth.parse(month);
            } catch (DateTimeParseException e) {
                spec.commandLine().getErr().println("report html: --month '" + month + "' is not YYYY-MM, e.g. 2026-10");
                return 2;
            }
            Path file = output != null ? output : Path.of("costline-" + ym + ".html");
            MonthData data = MonthDataReader.read(bootstrap, registryUrl, ym, timeout);
            Files.writeString(file, HtmlReport.render(data, Instant.now(), "Kafka " + bootstrap), StandardCharsets.UTF_8);
            spec.commandLine().getErr().println("wrote " + file + (data.empty() ? " (no data for " + ym + ")" : ""));
            return 0;
        }
    }
}
