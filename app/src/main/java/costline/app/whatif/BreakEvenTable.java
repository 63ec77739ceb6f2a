package costline.app.whatif;

import costline.pricing.CostModel;
import costline.streams.breakeven.BreakEvenResult;
import costline.streams.breakeven.Plan;
import java.io.PrintWriter;
import java.text.NumberFormat;
import java.util.Locale;

/** The what-if result as text: the load-duration curve with the own-or-rent test per GPU, then the three plans. */
public final class BreakEvenTable {

    private BreakEvenTable() {
    }

    public static void print(BreakEvenResult r, PrintWriter out) {
        out.printf(Locale.US, "Demand: peak %d GPUs, mean %.2f GPUs; cloud %s per GPU-hour%n", r.peakGpus(), r.meanGpus(),
                usd(r.cloudMicroUsdPerGpuHour()));
        out.printf(Locale.US, "Owning one GPU: %s up front, %s a month (amortized + ops), %s per busy GPU-hour of power%n%n",
                usd(r.owning().capexPerGpuMicroUsd()), usd(r.owning().fixedMonthlyPerGpuMicroUsd()),
                usd(r.owning().energyPerBusyGpuHourMicroUsd()));
        out.printf(Locale.US, "%4s  %7s  %18s  %17s  %s%n", "k", "f(k)", "cloud it replaces", "cost of owning it", "own?");
        for (int k = 1; k <= r.peakGpus(); k++) {
            double f = r.f(k);
            long value = Math.round(f * r.cloudMicroUsdPerGpuHour() * CostModel.HOURS_PER_MONTH);
            long owning = r.owning().fixedMonthlyPerGpuMicroUsd()
                    + Math.round(f * CostModel.HOURS_PER_MONTH * r.owning().energyPerBusyGpuHourMicroUsd());
            out.printf(Locale.US, "%4d  %7.4f  %15s/mo  %14s/mo  %s%n", k, f, usd(value), usd(owning),
                    k <= r.optimalOwned() ? "yes" : "no");
        }
        out.println();
        out.printf(Locale.US, "%-12s %6s %15s %13s %12s %11s %15s%n", "plan", "owned", "capex", "cloud/mo", "opex/mo",
                "break-even", "yearly saving");
        row(out, "cloud only", r.cloudOnly());
        row(out, "buy (peak)", r.buy());
        row(out, "hybrid (N*)", r.hybrid());
        out.println();
        Double months = r.breakEvenMonths();
        out.printf(Locale.US, "Recommendation: %s (N* = %d)%s, yearly savings %s%n", r.recommendation(), r.optimalOwned(),
                months == null ? "" : String.format(Locale.US, ", break-even %.1f months", months),
                usd(r.yearlySavingsMicroUsd()));
        out.flush();
    }

    private static void row(PrintWriter out, String name, Plan p) {
        Double be = p.breakEvenMonths();
        out.printf(Locale.US, "%-12s %6d %15s %13s %12s %11s %15s%n", name, p.owned(), usd(p.capexMicroUsd()),
                usd(p.cloudMonthlyMicroUsd()), usd(p.opexMonthlyMicroUsd()),
                be == null ? "-" : String.format(Locale.US, "%.1f mo", be), usd(p.yearlySavingsMicroUsd()));
    }

    static String usd(long microUsd) {
        NumberFormat f = NumberFormat.getCurrencyInstance(Locale.US);
        return f.format(CostModel.toDollarsCents(microUsd));
    }
}
