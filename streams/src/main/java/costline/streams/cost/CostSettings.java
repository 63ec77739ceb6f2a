package costline.streams.cost;

import costline.streams.config.KafkaSettings;
import costline.streams.config.Setting;
import costline.streams.config.Settings;
import costline.streams.config.SettingsException;
import java.time.Duration;
import java.util.List;

/**
 * Settings of the cost topology, validated when the topology is built; times held in milliseconds. {@link #from} reads
 * them from the settings (absent keys take their defaults); tests do the same with {@code Settings.of(...)}.
 */
public record CostSettings(String registryUrl, long emitIntervalMs, long maxFutureMs, long maxIntervalMs,
                           long dedupWindowMs, long energyMaxGapMs, long maxAgeMs, long unobservedGraceMs,
                           boolean unobservedStreamTime, long stateRetentionMs, int maxWorkloadsPerSitePerDay,
                           DedupStore dedupStore) {

    public CostSettings {
        // the per-GPU energy baseline must outlive every sample that may still read it: one accepted late (the
        // de-duplication window behind the newest) whose counter delta is still trusted (the energy gap)
        if (stateRetentionMs <= dedupWindowMs + energyMaxGapMs) {
            throw new SettingsException(STATE_RETENTION.key(), Duration.ofMillis(stateRetentionMs) + " is not longer than "
                    + DEDUP_WINDOW.key() + " + " + ENERGY_MAX_GAP.key() + " (" + Duration.ofMillis(dedupWindowMs + energyMaxGapMs) + ")",
                    "set it to more, e.g. " + Duration.ofMillis(Math.max(86_400_000L, 2 * (dedupWindowMs + energyMaxGapMs))));
        }
        if (maxWorkloadsPerSitePerDay < 1) {
            throw new SettingsException(MAX_WORKLOADS_PER_SITE_PER_DAY.key(), maxWorkloadsPerSitePerDay + " is below 1",
                    "use a limit of at least 1, e.g. 10000");
        }
        SettingsException.require(dedupStore != null, DEDUP_STORE.key(), "is not set", "use ROCKSDB or MEMORY");
    }

    /** These settings with another retention and cardinality limit. */
    public CostSettings withBounds(long stateRetentionMs, int maxWorkloadsPerSitePerDay) {
        return new CostSettings(registryUrl, emitIntervalMs, maxFutureMs, maxIntervalMs, dedupWindowMs, energyMaxGapMs,
                maxAgeMs, unobservedGraceMs, unobservedStreamTime, stateRetentionMs, maxWorkloadsPerSitePerDay, dedupStore);
    }

    /** What closes an owned GPU's hour. */
    public enum UnobservedClock { WALL_CLOCK, STREAM_TIME }

    public static final Setting EMIT_INTERVAL = Setting.duration("cost.emit-interval", "500ms", "1ms", "10m",
            "how often pending cost increments are written to gpu.cost (wall clock)");
    // Each emit that forwards increments (or follows input) asks for a commit at once (SampleProcessor#emit), so the
    // increments are visible right after it; a commit interval of the application's own on top (Streams' interval does
    // not restart at a requested commit) only doubled the transactions of a busy task. This one is a backstop: what a
    // task did besides samples (inventory records, expiry tombstones) is committed within it.
    public static final Setting COMMIT_INTERVAL = Setting.duration("cost.commit-interval", null, "1ms", "10m",
            "exactly-once commit interval of the cost topology, a backstop: a task commits right after each emit that wrote increments or followed input; unset: twice cost.emit-interval, 10s to 10m; not under cost.emit-interval");
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

    // a sample that arrives after its hour closed is not lost (it moves its fixed cost back from `unobserved`): the
    // grace only spares the increments of samples that are a little late, the usual case
    public static final Setting UNOBSERVED_GRACE = Setting.duration("cost.unobserved-grace", "15m", "0s", "7d",
            "an owned GPU's hour closes this long after its end: the hour's fixed cost that no sample charged then goes to the workload `unobserved`; a later sample moves its share back");

    // a replay of past months (the quickstart) closes hours as its samples' time passes, like the rollups' month close;
    // live, the wall clock closes them even when no sample comes (an outage, a GPU that never samples)
    public static final Setting UNOBSERVED_CLOCK = Setting.choice("cost.unobserved-clock", "WALL_CLOCK",
            List.of("WALL_CLOCK", "STREAM_TIME"),
            "what closes an owned GPU's hour: WALL_CLOCK (live: hours close even when no sample comes) or STREAM_TIME (the newest sample time of the GPU's partition: replays of past months, as the quickstart runs)");

    public static final Setting STATE_RETENTION = Setting.duration("cost.state-retention", "1d", "1m", "3650d",
            "a GPU's energy-counter baseline is forgotten (tombstone in the changelog) once the partition's newest sample is this much newer than its last reading; must exceed cost.dedup-window + cost.energy-max-gap");

    public static final Setting MAX_WORKLOADS_PER_SITE_PER_DAY = Setting.longValue("cost.max-workloads-per-site-per-day",
            10_000, 1, 10_000_000,
            "distinct workload names a cost task accepts per site and UTC day; the cost of further new names goes to the reserved workload overflow (counted, logged)");

    /** Where the de-duplication memory (every sample of the last cost.dedup-window) is kept. */
    public enum DedupStore { ROCKSDB, MEMORY }

    public static final Setting DEDUP_STORE = Setting.choice("cost.dedup-store", "ROCKSDB", List.of("ROCKSDB", "MEMORY"),
            "where the samples of the last cost.dedup-window are remembered (changelogged either way; read and written through a write-back cache of 10,000 GPUs' values): ROCKSDB (on disk: large fleets) or MEMORY (on the heap, about 30 bytes per sample kept, ~110 KB per GPU sampled every second: replays, small fleets)");

    public static final List<Setting> ALL = List.of(KafkaSettings.REGISTRY_URL, EMIT_INTERVAL, COMMIT_INTERVAL, MAX_FUTURE,
            MAX_INTERVAL, DEDUP_WINDOW, ENERGY_MAX_GAP, MAX_AGE, UNOBSERVED_GRACE, UNOBSERVED_CLOCK, STATE_RETENTION,
            MAX_WORKLOADS_PER_SITE_PER_DAY, DEDUP_STORE);

    /** Bounds of {@link #COMMIT_INTERVAL} when unset: twice the emit interval, within these. */
    static final Duration MIN_DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(10);
    static final Duration MAX_DEFAULT_COMMIT_INTERVAL = Duration.ofMinutes(10);

    /**
     * The cost application's commit interval ({@link #COMMIT_INTERVAL}): given, at least {@link #EMIT_INTERVAL} (a
     * shorter one commits between the emits again); unset, twice the emit interval, 10 s to 10 min,
     * and within an explicit {@code streams.producer.transaction.timeout.ms}.
     */
    public static Duration commitInterval(Settings s) {
        Duration emit = s.duration(EMIT_INTERVAL);
        if (!s.has(COMMIT_INTERVAL.key())) {
            Duration twice = emit.multipliedBy(2);
            Duration backstop = twice.compareTo(MIN_DEFAULT_COMMIT_INTERVAL) < 0 ? MIN_DEFAULT_COMMIT_INTERVAL
                    : twice.compareTo(MAX_DEFAULT_COMMIT_INTERVAL) > 0 ? MAX_DEFAULT_COMMIT_INTERVAL : twice;
            // a shorter transaction timeout set by the operator (fast take-over after a crash) wins, not below the emits
            Duration fitted = KafkaSettings.withinTransactionTimeout(s, backstop);
            return fitted.compareTo(emit) < 0 ? emit : fitted;
        }
        Duration given = s.duration(COMMIT_INTERVAL);
        if (given.compareTo(emit) < 0) {
            throw new SettingsException(COMMIT_INTERVAL.key(), "'" + s.string(COMMIT_INTERVAL) + "' is shorter than "
                    + EMIT_INTERVAL.key() + " (" + s.string(EMIT_INTERVAL) + "): it would commit between the emits, each a transaction",
                    "set it to at least " + EMIT_INTERVAL.key() + ", or unset it (twice " + EMIT_INTERVAL.key() + ", 10s to 10m)");
        }
        return given;
    }

    public static CostSettings from(Settings s) {
        return new CostSettings(s.string(KafkaSettings.REGISTRY_URL), s.duration(EMIT_INTERVAL).toMillis(),
                s.duration(MAX_FUTURE).toMillis(), s.duration(MAX_INTERVAL).toMillis(), s.duration(DEDUP_WINDOW).toMillis(),
                s.duration(ENERGY_MAX_GAP).toMillis(), s.duration(MAX_AGE).toMillis(), s.duration(UNOBSERVED_GRACE).toMillis(),
                s.choice(UNOBSERVED_CLOCK, UnobservedClock.class) == UnobservedClock.STREAM_TIME,
                s.duration(STATE_RETENTION).toMillis(), s.intValue(MAX_WORKLOADS_PER_SITE_PER_DAY),
                s.choice(DEDUP_STORE, DedupStore.class));
    }
}
