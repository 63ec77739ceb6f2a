package costline.streams.rollup;

import costline.csv.CsvWriter;
import costline.events.MonthlyRollup;
import costline.events.RollupStatus;
import costline.pricing.CostModel;
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
 * Written through {@link CsvWriter}, so no name can come out as a spreadsheet formula.
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
        CsvWriter csv = new CsvWriter(out).header(COLUMNS);
        long gpuMs = 0;
        long busyMs = 0;
        long cost = 0;
        long idle = 0;
        long energy = 0;
        boolean closed = true;
        String zone = sorted.isEmpty() ? "" : sorted.get(0).getZone();
        for (MonthlyRollup r : sorted) {
            csv.text(r.getMonth()).text(r.getZone()).text(r.getWorkload()).text(r.getTeam()).text(r.getSite().name())
                    .text(r.getGpuModel()).text(r.getStatus().name()).number((long) r.getRevision());
            figures(csv, r.getGpuMs(), r.getBusyGpuMs(), r.getCostMicroUsd(), r.getIdleMicroUsd(), r.getEnergyMj());
            csv.text(r.getUpdatedAt().toString()).endRow();
            gpuMs += r.getGpuMs();
            busyMs += r.getBusyGpuMs();
            cost += r.getCostMicroUsd();
            idle += r.getIdleMicroUsd();
            energy += r.getEnergyMj();
            closed &= r.getStatus() != RollupStatus.MONTH_TO_DATE;
        }
        csv.text(month).text(zone).text("TOTAL").empty().empty().empty().text(closed ? "FINAL" : "MONTH_TO_DATE").empty();
        figures(csv, gpuMs, busyMs, cost, idle, energy);
        csv.empty().endRow().flush();
    }

    private static void figures(CsvWriter csv, long gpuMs, long busyMs, long cost, long idle, long energyMj) {
        BigDecimal util = gpuMs == 0 ? null : BigDecimal.valueOf(busyMs).multiply(BigDecimal.valueOf(100))
                .divide(BigDecimal.valueOf(gpuMs), 2, RoundingMode.HALF_EVEN);
        csv.number(hours(gpuMs)).number(hours(busyMs)).number(util).number(CostModel.toDollarsCents(cost))
                .number(CostModel.toDollarsCents(idle))
                .number(BigDecimal.valueOf(energyMj).divide(BigDecimal.valueOf(CostModel.MJ_PER_KWH), 6, RoundingMode.HALF_EVEN));
    }

    private static BigDecimal hours(long ms) {
        return BigDecimal.valueOf(ms).divide(BigDecimal.valueOf(CostModel.MS_PER_HOUR), 6, RoundingMode.HALF_EVEN);
    }
}
