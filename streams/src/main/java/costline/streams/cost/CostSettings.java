package costline.streams.cost;

import costline.streams.config.Durations;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Setting;
import costline.streams.config.Settings;
import java.util.List;

/** Settings of the cost topology, validated when the topology is built; times held in milliseconds. */
public record CostSettings(String registryUrl, long emitIntervalMs, long maxFutureMs, long maxIntervalMs,
                           long dedupWindowMs, long energyMaxGapMs, long maxAgeMs) {

    /** With {@link #MAX_AGE}'s default. */
    public CostSettings(String registryUrl, long emitIntervalMs, long maxFutureMs, long maxIntervalMs, long dedupWindowMs,
                        long energyMaxGapMs) {
        this(registryUrl, emitIntervalMs, maxFutureMs, maxIntervalMs, dedupWindowMs, energyMaxGapMs,
                Durations.parse(MAX_AGE.defaultValue()).orElseThrow().toMillis());
    }

    public static final Setting EMIT_INTERVAL = Setting.duration("cost.emit-interval", "500ms", "1ms", "10m",
            "how often pending cost increments are written to gpu.cost (wall clock)");
    public static final Setting MAX_FUTURE = Setting.duration("cost.max-future", "5m", "0s", "365d",
            "samples stamped further ahead of this host's clock are dead-lettered (FUTURE_TIMESTAMP)");
    public static final Setting MAX_INTERVAL = Setting.duration("cost.max-interval", "1h", "1ms", "1d",
            "longest interval one sample may cover");
    public static final Setting DEDUP_WINDOW = Setting.duration("cost.dedup-window", "1h", "1m", "30d",
            "how long (gpu_id, sample_time) is remembered for duplicates and corrections; older samples are dead-lettered (TOO_LATE)");
    public static final Setting ENERGY_MAX_GAP = Setting.duration("cost.energy-max-gap", "10m", "1ms", "1d",
            "longest gap between two energy counter readings whose delta is trusted");

    // 400 days: a year of backfill or replay (CloudWatch keeps 5-minute data 63 days, hourly 455) is accepted, a clock at
    // 1970 or a file from years ago is not
    public static final Setting MAX_AGE = Setting.duration("cost.max-age", "400d", "1h", "3650d",
            "samples stamped further back than this before this host's clock are dead-lettered (PAST_TIMESTAMP); the sink applies the same limit to raw samples");

    public static final List<Setting> ALL = List.of(KafkaSettings.REGISTRY_URL, EMIT_INTERVAL, MAX_FUTURE,
            MAX_INTERVAL, DEDUP_WINDOW, ENERGY_MAX_GAP, MAX_AGE);

    public static CostSettings from(Settings s) {
        return new CostSettings(s.string(KafkaSettings.REGISTRY_URL), s.duration(EMIT_INTERVAL).toMillis(),
                s.duration(MAX_FUTURE).toMillis(), s.duration(MAX_INTERVAL).toMillis(), s.duration(DEDUP_WINDOW).toMillis(),
                s.duration(ENERGY_MAX_GAP).toMillis(), s.duration(MAX_AGE).toMillis());
    }
}
