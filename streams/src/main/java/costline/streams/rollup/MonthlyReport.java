package costline.streams.rollup;

import costline.events.MonthlyRollup;
import costline.events.RollupStatus;
import costline.pricing.CostModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The finance CSV of one month: one row per workload, team, site and GPU model, then a TOTAL row.
 *
 * <p>Columns: month, zone, workload, team, site, gpu_model, status, revision, gpu_hours, busy_gpu_hours,
 * avg_util_pct, cost_usd, idle_usd, energy_kwh, updated_at. Money in dollars rounded half-even to the cent, hours and
 * kWh to 6 decimals. The TOTAL row sums the exact micro-USD / GPU-ms / mJ of the rows and rounds once, so it can
 * differ by a cent from the sum of the rounded rows; its status is FINAL only when every row is FINAL or CORRECTION.
 */
public final class MonthlyReport {

    public static final List<String> COLUMNS = List.of("month", "zone", "workload", "team", "site", "gpu_model", "status",
            "revision", "gpu_hours", "busy_gpu_hours", "avg_util_pct", "cost_usd", "idle_usd", "energy_kwh", "updated_at");

    private MonthlyReport() {
    }

    public static void write(String month, Collection<MonthlyRollup> rows, Writer out) {
        List<MonthlyRollup> sorted = rows.stream()
                .filter(r -> r.getMonth().equals(month))
                .sorted(Comparator.comparing(MonthlyRollup::getWorkload).thenComparing(r -> r.getSite().name())
                        .thenComparing(MonthlyRollup::getGpuModel))
                .toList();
        try {
            out.write(String.join(",", COLUMNS));
            out.write("\r\n");
            long gpuMs = 0;
            long busyMs = 0;
            long cost = 0;
            long idle = 0;
            long energy = 0;
            boolean closed = true;
            String zone = sorted.isEmpty() ? "" : sorted.get(0).getZone();
            for (MonthlyRollup r : sorted) {
                row(out, r.getMonth(), r.getZone(), r.getWorkload(), r.getTeam() == null ? "" : r.getTeam(), r.getSite().name(),
                        r.getGpuModel(), r.getStatus().name(), String.valueOf(r.getRevision()), r.getGpuMs(), r.getBusyGpuMs(),
                        r.getCostMicroUsd(), r.getIdleMicroUsd(), r.getEnergyMj(), r.getUpdatedAt().toString());
                gpuMs += r.getGpuMs();
                busyMs += r.getBusyGpuMs();
                cost += r.getCostMicroUsd();
                idle += r.getIdleMicroUsd();
                energy += r.getEnergyMj();
                closed &= r.getStatus() != RollupStatus.MONTH_TO_DATE;
            }
            row(out, month, zone, "TOTAL", "", "", "", closed ? "FINAL" : "MONTH_TO_DATE", "", gpuMs, busyMs, cost, idle, energy, "");
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void row(Writer out, String month, String zone, String workload, String team, String site, String model,
                            String status, String revision, long gpuMs, long busyMs, long cost, long idle, long energyMj,
                            String updated) throws IOException {
        String util = gpuMs == 0 ? "" : BigDecimal.valueOf(busyMs).multiply(BigDecimal.valueOf(100))
                .divide(BigDecimal.valueOf(gpuMs), 2, RoundingMode.HALF_EVEN).toPlainString();
        List<String> cells = List.of(month, zone, workload, team, site, model, status, revision,
                hours(gpuMs), hours(busyMs), util, CostModel.toDollarsCents(cost).toPlainString(),
                CostModel.toDollarsCents(idle).toPlainString(),
                BigDecimal.valueOf(energyMj).divide(BigDecimal.valueOf(CostModel.MJ_PER_KWH), 6, RoundingMode.HALF_EVEN).toPlainString(),
                updated);
        out.write(String.join(",", cells.stream().map(MonthlyReport::cell).toList()));
        out.write("\r\n");
    }

    private static String hours(long ms) {
        return BigDecimal.valueOf(ms).divide(BigDecimal.valueOf(CostModel.MS_PER_HOUR), 6, RoundingMode.HALF_EVEN).toPlainString();
    }

    /** RFC 4180: quote a cell holding a comma, quote or line break; double its quotes. */
    static String cell(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }
}
