package costline.streams.cost;

import costline.streams.config.KafkaSettings;
import costline.streams.config.Setting;
import costline.streams.config.Settings;
import java.util.List;

/** Settings of the cost topology, validated when the topology is built. */
public record CostSettings(String registryUrl, long emitIntervalMs, long maxFutureMs, long maxIntervalMs,
                           long dedupWindowMs, long energyMaxGapMs, long maxAgeMs, long unobservedGraceMs,
                           boolean unobservedStreamTime) {

    /** Closing owned GPUs' hours on the wall clock, {@link #UNOBSERVED_CLOCK}'s default. */
    public CostSettings(String registryUrl, long emitIntervalMs, long maxFutureMs, long maxIntervalMs, long dedupWindowMs,
                        long energyMaxGapMs, long maxAgeMs, long unobservedGraceMs) {
        this(registryUrl, emitIntervalMs, maxFutureMs, maxIntervalMs, dedupWindowMs, energyMaxGapMs, maxAgeMs,
                unobservedGraceMs, false);
    }

    /** With {@link #UNOBSERVED_GRACE_MS}'s default. */
    public CostSettings(String registryUrl, long emitIntervalMs, long maxFutureMs, long maxIntervalMs, long dedupWindowMs,
                        long energyMaxGapMs, long maxAgeMs) {
        this(registryUrl, emitIntervalMs, maxFutureMs, maxIntervalMs, dedupWindowMs, energyMaxGapMs, maxAgeMs,
                Long.parseLong(UNOBSERVED_GRACE_MS.defaultValue()));
    }

    /** With {@link #MAX_AGE_MS}'s default. */
    public CostSettings(String registryUrl, long emitIntervalMs, long maxFutureMs, long maxIntervalMs, long dedupWindowMs,
                        long energyMaxGapMs) {
        this(registryUrl, emitIntervalMs, maxFutureMs, maxIntervalMs, dedupWindowMs, energyMaxGapMs,
                Long.parseLong(MAX_AGE_MS.defaultValue()));
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

    // a sample that arrives after its hour closed is not lost (it moves its fixed cost back from `unobserved`): the
    // grace only spares the increments of samples that are a little late, the usual case
    public static final Setting UNOBSERVED_GRACE_MS = new Setting("cost.unobserved.grace.ms", "900000",
            "an owned GPU's hour closes this long after its end (wall clock): the hour's fixed cost that no sample charged then goes to the workload `unobserved`, ms");

    // a replay of past months (the quickstart) closes hours as its samples' time passes, like the rollups' month close;
    // live, the wall clock closes them even when no sample comes (an outage, a GPU that never samples)
    public static final Setting UNOBSERVED_CLOCK = new Setting("cost.unobserved.clock", "WALL_CLOCK",
            "what closes an owned GPU's hour: WALL_CLOCK (live) or STREAM_TIME (the newest sample time of the GPU's partition: replays of past months)");

    public static final List<Setting> ALL = List.of(KafkaSettings.REGISTRY_URL, EMIT_INTERVAL_MS, MAX_FUTURE_MS,
            MAX_INTERVAL_MS, DEDUP_WINDOW_MS, ENERGY_MAX_GAP_MS, MAX_AGE_MS, UNOBSERVED_GRACE_MS, UNOBSERVED_CLOCK);

    public static CostSettings from(Settings s) {
        return new CostSettings(s.string(KafkaSettings.REGISTRY_URL),
                s.longValue(EMIT_INTERVAL_MS, 1, 600_000),
                s.longValue(MAX_FUTURE_MS, 0, 86_400_000L * 365),
                s.longValue(MAX_INTERVAL_MS, 1, 86_400_000L),
                s.longValue(DEDUP_WINDOW_MS, 60_000, 86_400_000L * 30),
                s.longValue(ENERGY_MAX_GAP_MS, 1, 86_400_000L),
                s.longValue(MAX_AGE_MS, 3_600_000L, 86_400_000L * 3_650),
                s.longValue(UNOBSERVED_GRACE_MS, 0, 86_400_000L * 7),
                streamTime(s.string(UNOBSERVED_CLOCK)));
    }

    private static boolean streamTime(String clock) {
        return switch (clock.trim().toUpperCase(java.util.Locale.ROOT)) {
            case "WALL_CLOCK" -> false;
            case "STREAM_TIME" -> true;
            default -> throw new costline.streams.config.SettingsException(UNOBSERVED_CLOCK.key(), "is '" + clock + "'",
                    "set it to WALL_CLOCK or STREAM_TIME");
        };
    }
}
