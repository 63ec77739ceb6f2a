package costline.streams.drift;

import static costline.streams.drift.DetectorParams.require;

import java.time.Duration;

/**
 * The thresholds of one workload (or the defaults, which GPUs use too).
 *
 * @param detector                    detector tuning (windows in samples of each series)
 * @param warningPct                  |change_pct| at or above which a signal is WARNING (below: INFO)
 * @param criticalPct                 |change_pct| at or above which a signal is CRITICAL
 * @param idleFloorPct                a held GPU under this utilization, percent, counts as idle
 * @param idleAfter                   how long a held GPU must stay under the floor before the workload's idle
 *                                    episode is reported
 * @param idleCriticalMicroUsdPerHour an idle episode wasting at least this much, micro-USD per hour, is CRITICAL
 *                                    (below: WARNING)
 */
public record DriftThresholds(DetectorParams detector, double warningPct, double criticalPct, double idleFloorPct,
                              Duration idleAfter, long idleCriticalMicroUsdPerHour) {

    public static final DriftThresholds DEFAULTS = new DriftThresholds(DetectorParams.DEFAULTS, 25.0, 50.0, 10.0,
            Duration.ofMinutes(30), 10_000_000L);

    public DriftThresholds {
        require(detector != null, "detector", "must be given");
        require(warningPct >= 0 && Double.isFinite(warningPct), "severity-warning-pct", "must be >= 0 (try 25)");
        require(criticalPct >= warningPct && Double.isFinite(criticalPct), "severity-critical-pct",
                "must be at least severity-warning-pct (try 50)");
        require(idleFloorPct > 0 && idleFloorPct <= 100, "idle-floor-pct", "must be in (0, 100] (try 10)");
        require(idleAfter != null && !idleAfter.isNegative() && !idleAfter.isZero(), "idle-after",
                "must be a positive duration such as 30m");
        require(idleCriticalMicroUsdPerHour >= 0, "idle-critical-micro-usd-per-hour",
                "must be >= 0 (try 10000000, i.e. $10/h)");
    }
}
