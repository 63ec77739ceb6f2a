package costline.app;

import costline.streams.audit.AuditReport;
import costline.streams.audit.LedgerAudit;
import costline.streams.config.InfluxSettings;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Settings;
import costline.streams.config.SettingsException;
import costline.streams.cost.CostSettings;
import costline.streams.finance.MonthCalendar;
import costline.streams.rollup.RollupConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code costline audit --month YYYY-MM}: proves a month's money. Exit 0 when every source agrees with the batch
 * fold of the raw inputs, 1 on any difference, 2 on bad options or settings.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Recompute a month from gpu.samples and gpu.prices in a plain batch fold and compare it, per workload,",
                "site and GPU model, with the sum of gpu.cost, gpu.rollup.monthly, the store's sums and (with --csv) the",
                "finance CSV. Prints the differences in micro-dollars; exits 1 on any difference.",
                "Kafka, registry and store come from the settings (--config and COSTLINE_* variables), as for 'streams run'."})
final class AuditCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--month", required = true, description = "Calendar month, YYYY-MM (in rollup.zone).")
    String month;
    @Option(names = "--config", description = "Settings file (Java properties).")
    Path config;
    @Option(names = "--csv", description = "Finance CSV of the month to compare too (as 'report monthly' writes it).")
    Path csv;
    @Option(names = "--store-query", defaultValue = "INFLUXQL",
            description = "How to ask the store for its sums: INFLUXQL (InfluxDB), SQL (QuestDB) or NONE (default: ${DEFAULT-VALUE}).")
    LedgerAudit.StoreQuery storeQuery;
    @Option(names = "--timeout", defaultValue = "5m", converter = DurationConverter.class,
            description = "How long reading each topic may take (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            Settings settings = costline.streams.runtime.SettingsCatalog.load(config, System.getenv());
            AuditReport report = LedgerAudit.run(options(settings, parseMonth(month), storeQuery, csv, timeout));
            report.skippedLines().forEach(line -> err.println("skipped: " + line));
            report.print(spec.commandLine().getOut());
            return report.differences().isEmpty() ? 0 : 1;
        } catch (SettingsException | IllegalArgumentException e) {
            err.println("audit: " + e.getMessage());
            return 2;
        }
    }

    static YearMonth parseMonth(String month) {
        try {
            return YearMonth.parse(month);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--month '" + month + "': write the month as YYYY-MM, e.g. 2026-10");
        }
    }

    /** The audit's options from the settings every costline process reads. */
    static LedgerAudit.Options options(Settings settings, YearMonth month, LedgerAudit.StoreQuery storeQuery, Path csv,
                                       Duration timeout) {
        String url = null;
        String bucket = null;
        char[] token = null;
        if (storeQuery != LedgerAudit.StoreQuery.NONE) {
            InfluxSettings influx = InfluxSettings.from(settings);
            url = influx.url();
            bucket = influx.bucket();
            token = influx.token();
        }
        return new LedgerAudit.Options(KafkaSettings.clientProperties(settings), settings.string(KafkaSettings.REGISTRY_URL),
                month, new MonthCalendar(settings.zone(RollupConfig.ZONE)), CostSettings.from(settings),
                storeQuery, url, bucket, token, csv, timeout);
    }
}
