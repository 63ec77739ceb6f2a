package costline.streams.drift;

/**
 * What "small" means for one metric, in its own unit: a series that is perfectly flat (a GPU pinned at 100 %, a
 * fixed hourly price) has a noise estimate of zero, so the detector uses at least {@code noiseFloor}; and a change
 * is reported only when it is at least {@code minChangeAbs}, so 0 % -> 1 % utilization is not news.
 */
public record MetricScale(double noiseFloor, double noiseFloorRelative, double minChangeAbs) {

    /** Utilization, percent points. */
    public static final MetricScale UTILIZATION = new MetricScale(0.5, 0.0, 5.0);
    /** Power per utilization percent, W/%. */
    public static final MetricScale POWER_PER_UTIL = new MetricScale(0.02, 0.01, 0.25);
    /** Cost rate, micro-USD per hour (a $1/h GPU is 1,000,000). */
    public static final MetricScale COST_RATE = new MetricScale(1_000.0, 0.01, 10_000.0);

    double floorFor(double baseline) {
        return Math.max(noiseFloor, noiseFloorRelative * Math.abs(baseline));
    }
}
