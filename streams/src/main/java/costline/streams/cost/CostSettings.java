package costline.streams.cost;

import costline.streams.config.KafkaSettings;
import costline.streams.config.Setting;
import costline.streams.config.Settings;
import costline.streams.config.SettingsException;
import java.util.List;

/** Settings of the cost topology, validated when the topology is built. */
public record CostSettings(String registryUrl, long emitIntervalMs, long maxFutureMs, long maxIntervalMs,
                           long dedupWindowMs, long energyMaxGapMs, long maxAgeMs, long stateRetentionMs,
                           int maxWorkloadsPerSitePerDay) {

    public CostSettings {
        // the per-GPU energy baseline must outlive every sample that may still read it: one accepted late (the
        // de-duplication window behind the newest) whose counter delta is still trusted (the energy gap)
        if (stateRetentionMs <= dedupWindowMs + energyMaxGapMs) {
            throw new SettingsException(STATE_RETENTION_MS.key(), stateRetentionMs + " is not longer than "
                    + "cost.dedup.window.ms + cost.energy.max.gap.ms (" + (dedupWindowMs + energyMaxGapMs) + " ms)",
                    "set it to more, e.g. " + Math.max(86_400_000L, 2 * (dedupWindowMs + energyMaxGapMs)));
        }
        if (maxWorkloadsPerSitePerDay < 1) {
            throw new SettingsException(MAX_WORKLOADS_PER_SITE_PER_DAY.key(), maxWorkloadsPerSitePerDay + " is below 1",
                    "use a limit of at least 1, e.g. 10000");
        }
    }

    /** With the defaults of {@link #STATE_RETENTION_MS} (or longer, to stay valid) and {@link #MAX_WORKLOADS_PER_SITE_PER_DAY}. */
    public CostSettings(String registryUrl, long emitIntervalMs, long maxFutureMs, long maxIntervalMs, long dedupWindowMs,
                        long energyMaxGapMs, long maxAgeMs) {
        this(registryUrl, emitIntervalMs, maxFutureMs, maxIntervalMs, dedupWindowMs, energyMaxGapMs, maxAgeMs,
                Math.max(Long.parseLong(STATE_RETENTION_MS.defaultValue()), 2 * (dedupWindowMs + energyMaxGapMs)),
                Integer.parseInt(MAX_WORKLOADS_PER_SITE_PER_DAY.defaultValue()));
    }

    /** With {@link #MAX_AGE_MS}'s default. */
    public CostSettings(String registryUrl, long emitIntervalMs, long maxFutureMs, long maxIntervalMs, long dedupWindowMs,
                        long energyMaxGapMs) {
        this(registryUrl, emitIntervalMs, maxFutureMs, maxIntervalMs, dedupWindowMs, energyMaxGapMs,
                Long.parseLong(MAX_AGE_MS.defaultValue()));
    }

    /** These settings with another retention and cardinality limit. */
    public CostSettings withBounds(long stateRetentionMs, int maxWorkloadsPerSitePerDay) {
        return new CostSettings(registryUrl, emitIntervalMs, maxFutureMs, maxIntervalMs, dedupWindowMs, energyMaxGapMs,
                maxAgeMs, stateRetentionMs, maxWorkloadsPerSitePerDay);
    }

    public static final Setting EMIT_INTERVAL_MS = new Setting("cost.emit.interval.ms", "500",
            "how often pending cost increments are written to gpu.cost, ms (wall clock)");
    public static final Setting MAX_FUTURE_MS = new Setting("cost.max.future.ms", "300000",
            "samples stamped further ahead of this host's clock go to the dead-letter topic, ms");
    public static final Setting MAX_INTERVAL_MS = new Setting("cost.max.interval.ms", "3600000",
            "longest interval one sample may cover, ms");
    public static final Setting DEDUP_WINDOW_MS = new Setting("cost.dedup.window.ms", "3600000",
            "how long a (GPU, sample_time) is remembered to drop duplicates and apply corrections, ms; older samples go to the dead-letter topic as TOO_LATE");
    public static final Setting ENERGY_MAX_GAP_MS = new Setting("cost.energy.max.gap.ms", "600000",
            "longest gap between two energy counter readings whose delta is trusted, ms");

    // 400 days: a year of backfill or replay (CloudWatch keeps 5-minute data 63 days, hourly 455) is accepted, a clock at
    // 1970 or a file from years ago is not
    public static final Setting MAX_AGE_MS = new Setting("cost.max.age.ms", "34560000000",
            "samples stamped further back than this before this host's clock go to the dead-letter topic as PAST_TIMESTAMP, ms");

    public static final Setting STATE_RETENTION_MS = new Setting("cost.state.retention.ms", "86400000",
            "a GPU's energy-counter baseline is forgotten (tombstone in the changelog) once the partition's newest sample is this much newer than its last reading, ms; must exceed cost.dedup.window.ms + cost.energy.max.gap.ms");

    public static final Setting MAX_WORKLOADS_PER_SITE_PER_DAY = new Setting("cost.max.workloads.per.site.per.day", "10000",
            "distinct workload names a cost task accepts per site and UTC day; the cost of further new names goes to the reserved workload overflow (counted, logged)");

    public static final List<Setting> ALL = List.of(KafkaSettings.REGISTRY_URL, EMIT_INTERVAL_MS, MAX_FUTURE_MS,
            MAX_INTERVAL_MS, DEDUP_WINDOW_MS, ENERGY_MAX_GAP_MS, MAX_AGE_MS, STATE_RETENTION_MS,
            MAX_WORKLOADS_PER_SITE_PER_DAY);

    public static CostSettings from(Settings s) {
        return new CostSettings(s.string(KafkaSettings.REGISTRY_URL),
                s.longValue(EMIT_INTERVAL_MS, 1, 600_000),
                s.longValue(MAX_FUTURE_MS, 0, 86_400_000L * 365),
                s.longValue(MAX_INTERVAL_MS, 1, 86_400_000L),
                s.longValue(DEDUP_WINDOW_MS, 60_000, 86_400_000L * 30),
                s.longValue(ENERGY_MAX_GAP_MS, 1, 86_400_000L),
                s.longValue(MAX_AGE_MS, 3_600_000L, 86_400_000L * 3_650),
                s.longValue(STATE_RETENTION_MS, 60_000, 86_400_000L * 3_650),
                (int) s.longValue(MAX_WORKLOADS_PER_SITE_PER_DAY, 1, 10_000_000));
    }
}
