package costline.app;

import java.io.PrintWriter;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.Option;

/** The month and the Kafka it is read from, shared by the {@code report} subcommands (a picocli mixin). */
final class MonthOptions {

    @Option(names = "--month", required = true, description = "Calendar month, YYYY-MM.")
    String month;
    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", description = "Kafka (default: ${DEFAULT-VALUE}).")
    String bootstrap;
    @Option(names = "--registry-url", defaultValue = "http://localhost:8081", description = "Schema registry (default: ${DEFAULT-VALUE}).")
    String registryUrl;

    /** The month, or null after telling {@code err} why {@code --month} is not one. */
    YearMonth yearMonth(PrintWriter err, String command) {
        try {
            return YearMonth.parse(month);
        } catch (DateTimeParseException e) {
            err.println(command + ": --month '" + month + "' is not YYYY-MM, e.g. 2026-10");
            return null;
        }
    }
}
