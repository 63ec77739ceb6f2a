package costline.app.view;

import costline.events.BreakEvenRecommendation;
import costline.events.DriftSignal;
import costline.events.SpendAlert;
import costline.pricing.CostModel;
import java.math.BigDecimal;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.Map;

/** Renders {@link LiveState} as a terminal screen; pure, so it is tested as text. */
public final class LiveView {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    private LiveView() {
    }

    /** A progress bar of {@code width} cells for {@code fraction} (0..1). */
    public static String progressBar(double fraction, int width) {
        double clamped = Math.max(0, Math.min(1, fraction));
        int filled = (int) Math.round(clamped * width);
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "] " + String.format("%5.1f%%", clamped * 100);
    }

    public static String render(LiveState state, double progress) {
        StringBuilder out = new StringBuilder();
        out.append("costline quickstart  ").append(progressBar(progress, 40));
        if (state.month() != null) {
            out.append("  simulated time ").append(TIME.format(state.latest()));
        }
        out.append("\n\n");

        out.append(String.format("%-22s %14s %14s %14s %12s%n", "cost this month", "cloud $", "on-prem $", "idle $", "GPU-hours"));
        for (Map.Entry<String, LiveState.WorkloadTotals> e : state.costs().entrySet()) {
            LiveState.WorkloadTotals t = e.getValue();
            out.append(String.format("%-22s %14s %14s %14s %12.1f%n", trim(e.getKey(), 22), dollars(t.cloudMicroUsd()),
                    dollars(t.onPremMicroUsd()), dollars(t.idleMicroUsd()), t.gpuMs() / 3_600_000.0));
        }

        out.append(String.format("%n%-22s %-9s %14s %14s %s%n", "cloud vs on-prem line", "state", "cloud MTD $", "line $", "projected day"));
        for (SpendAlert a : state.alerts().values()) {
            out.append(String.format("%-22s %-9s %14s %14s %s%n", trim(a.getWorkload(), 22), a.getState(),
                    dollars(a.getCloudMtdMicroUsd()), dollars(a.getOnpremLineMicroUsd()),
                    a.getProjectedCrossDay() == null ? "" : a.getMonth() + "-" + String.format("%02d", a.getProjectedCrossDay())));
        }

        out.append(String.format("%n%-40s %-11s %6s %6s %12s %16s%n", "recommendation", "", "own", "peak", "break-even", "savings $/year"));
        for (BreakEvenRecommendation r : state.recommendations().values()) {
            out.append(String.format("%-40s %-11s %6d %6d %12s %16s%n", trim(r.getScope() + " " + r.getGpuModel(), 40), r.getRecommendation(),
                    r.getOptimalOwnedGpus(), r.getPeakGpus(),
                    r.getBreakEvenMonths() == null ? "never" : String.format("%.1f mo", r.getBreakEvenMonths()),
                    dollars(r.getYearlySavingsMicroUsd())));
        }

        out.append("\nrecent drift\n");
        for (DriftSignal d : state.drift()) {
            // every value with its unit: dollars per hour, percent, watts per percent (never raw micro-dollars)
            String wasted = DriftFormat.wasted(d);
            out.append(String.format("  %s %-8s %-24s %-14s %s%s%n", TIME.format(d.getDetectedAt()), d.getSeverity(),
                    trim(d.getEntity(), 24), d.getMetric(), DriftFormat.change(d), wasted.isEmpty() ? "" : ", idle GPUs cost " + wasted));
        }
        return out.toString();
    }

    private static String dollars(long microUsd) {
        BigDecimal cents = CostModel.toDollarsCents(microUsd);
        return String.format("%,.2f", cents);
    }

    private static String trim(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "~";
    }
}
