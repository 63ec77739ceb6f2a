package costline.app.view;

import costline.events.DriftMetric;
import costline.events.DriftSignal;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * A drift signal's values with their units, for people: COST_RATE is carried in micro-USD per hour and shown in
 * dollars per hour; UTILIZATION and IDLE (the floor and the idle GPUs' utilization) in percent; POWER_PER_UTIL in
 * watts per utilization percent.
 */
public final class DriftFormat {

    private DriftFormat() {
    }

    public static String value(DriftMetric metric, double v) {
        return switch (metric) {
            case COST_RATE -> "$" + String.format(Locale.US, "%,.2f", BigDecimal.valueOf(v)
                    .divide(BigDecimal.valueOf(1_000_000), 2, RoundingMode.HALF_EVEN)) + "/h";
            case UTILIZATION, IDLE -> String.format(Locale.US, "%.1f %%", v);
            case POWER_PER_UTIL -> String.format(Locale.US, "%.2f W/%%", v);
        };
    }

    /** "baseline -> current (change)", e.g. "$21.94/h -> $5.49/h (-75%)". */
    public static String change(DriftSignal d) {
        return value(d.getMetric(), d.getBaseline()) + " -> " + value(d.getMetric(), d.getCurrent())
                + String.format(Locale.US, " (%+.0f%%)", d.getChangePct());
    }

    /** The cost of the idle GPUs an IDLE signal names, dollars per hour; empty for other metrics. */
    public static String wasted(DriftSignal d) {
        Long micro = d.getWastedMicroUsdPerHour();
        return micro == null ? "" : "$" + String.format(Locale.US, "%,.2f", BigDecimal.valueOf(micro)
                .divide(BigDecimal.valueOf(1_000_000), 2, RoundingMode.HALF_EVEN)) + "/h";
    }
}
