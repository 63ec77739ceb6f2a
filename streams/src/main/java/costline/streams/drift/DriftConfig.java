package costline.streams.drift;

import static costline.streams.config.SettingsException.require;

import costline.schemas.Topics;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Setting;
import costline.streams.config.Settings;
import costline.streams.config.SettingsException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Everything the drift topology is built from: {@link #from} reads it from the settings (thresholds as
 * {@code drift.<name>} for GPUs and every workload, {@code drift.workload.<workload>.<name>} for one workload, which
 * starts from the former); tests build it directly.
 *
 * @param schemaRegistryUrl      registry of the Avro serdes (http(s)://host:port, or mock://scope in tests)
 * @param samplesTopic           GpuSample input, key = GPU id
 * @param costTopic              CostRecord input, key = workload
 * @param driftTopic             DriftSignal output, key = entity
 * @param defaults               thresholds of GPUs and of every workload without an override
 * @param workloadOverrides      thresholds by workload name
 * @param workloadBucket         a workload's utilization series is its share-weighted utilization over buckets
 *                               of this length (one detector sample per bucket)
 * @param powerPerUtilMinUtilPct power per utilization is only watched at or above this utilization, percent
 *                               (at a few percent the ratio is idle power divided by noise)
 * @param gpuReleasedAfter       a GPU not seen with a workload for this long (event time) is no longer held by it
 * @param costGrace              a minute of gpu.cost is complete once records this much newer (event time) have come:
 *                               its increments come from every partition of the cost topology; a replay of a
 *                               backlog, where partitions drift apart by hours, needs a longer one
 * @param stateRetention         a GPU's or workload's detector state (and a workload's held GPUs) not active for this
 *                               long (event time) is forgotten, with a tombstone in the changelog; a name that returns
 *                               starts a new baseline. Longer than every window above and every idle.after
 */
public record DriftConfig(String schemaRegistryUrl, String samplesTopic, String costTopic, String driftTopic,
                          DriftThresholds defaults, Map<String, DriftThresholds> workloadOverrides,
                          Duration workloadBucket, double powerPerUtilMinUtilPct, Duration gpuReleasedAfter,
                          Duration costGrace, Duration stateRetention) {

    /** Without a retention: {@link #DEFAULT_RETENTION}. */
    public DriftConfig(String schemaRegistryUrl, String samplesTopic, String costTopic, String driftTopic,
                       DriftThresholds defaults, Map<String, DriftThresholds> workloadOverrides, Duration workloadBucket,
                       double powerPerUtilMinUtilPct, Duration gpuReleasedAfter, Duration costGrace) {
        this(schemaRegistryUrl, samplesTopic, costTopic, driftTopic, defaults, workloadOverrides, workloadBucket,
                powerPerUtilMinUtilPct, gpuReleasedAfter, costGrace, DEFAULT_RETENTION);
    }

    /** Default of {@code drift.state-retention}. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);

    public static final Setting SAMPLES_TOPIC = new Setting("drift.samples-topic", Topics.GPU_SAMPLES, "GpuSample input, key = GPU id");
    public static final Setting COST_TOPIC = new Setting("drift.cost-topic", Topics.GPU_COST, "CostRecord input, key = workload");
    public static final Setting OUTPUT_TOPIC = new Setting("drift.output-topic", Topics.GPU_DRIFT, "DriftSignal output, key = entity");
    public static final Setting WORKLOAD_BUCKET = Setting.duration("drift.workload-bucket", "10s", "1s", null,
            "a workload's utilization series is its share-weighted utilization over buckets of this length");
    public static final Setting POWER_PER_UTIL_MIN_UTIL_PCT = Setting.doubleValue("drift.power-per-util-min-util-pct", 10,
            null, 100.0, "power per utilization is only watched at or above this utilization, percent (above 0)");
    public static final Setting GPU_RELEASED_AFTER = Setting.duration("drift.gpu-released-after", "5m", "1s", null,
            "a GPU not seen with a workload for this long (event time) is no longer held by it");
    public static final Setting COST_GRACE = Setting.duration("drift.cost-grace", "15m", "0s", null,
            "a minute of gpu.cost is complete once records this much newer (event time) have come; replays of a backlog need more (the quickstart uses 2h; each open minute is state)");

    // Drift confirms a shift over tens of samples (seconds to minutes), so committing every streams.commit.interval.ms
    // (500 ms) bought nothing but transactions and changelog writes: the write-back state is written once per key per
    // commit (drift-gpu-state, drift-workload-gpus), the repartitioned workload input is read after each commit.
    public static final Setting COMMIT_INTERVAL = Setting.duration("drift.commit-interval", "5s", "100ms", "10m",
            "exactly-once commit interval of the drift topology (instead of streams.commit.interval.ms): signals become visible at commits; each commit writes every changed GPU's and workload's state to its changelog");

    public static final Setting STATE_RETENTION = Setting.duration("drift.state-retention", "7d", "1m", null,
            "a GPU's or workload's detector state not active this long (event time) is forgotten, with tombstones in the changelog; longer than the bucket, release, cost grace and idle-after spans");

    // Thresholds: drift.<name> for GPUs and every workload; DetectorParams and DriftThresholds say what each means.
    private static final DetectorParams D = DetectorParams.DEFAULTS;
    private static final DriftThresholds T = DriftThresholds.DEFAULTS;
    public static final Setting WARMUP_SAMPLES = Setting.longValue("drift.warmup-samples", D.warmupSamples(), 5,
            Integer.MAX_VALUE, "samples that learn the baseline and noise before watching, and again after each detection");
    public static final Setting CONFIRM_SAMPLES = Setting.longValue("drift.confirm-samples", D.confirmSamples(), 3,
            Integer.MAX_VALUE, "confirmation window: the median of this many samples must itself have moved (at most warmup-samples)");
    public static final Setting CUSUM_K = Setting.doubleValue("drift.cusum-k", D.cusumK(), null, null,
            "CUSUM allowance per sample, sigma (above 0)");
    public static final Setting CUSUM_H = Setting.doubleValue("drift.cusum-h", D.cusumH(), null, null,
            "CUSUM decision threshold, sigma (above 0)");
    public static final Setting CLIP_SIGMA = Setting.doubleValue("drift.clip-sigma", D.clipSigma(), null, null,
            "residuals are clipped to +-this many sigma (above cusum-k)");
    public static final Setting MIN_SHIFT_SIGMA = Setting.doubleValue("drift.min-shift-sigma", D.minShiftSigma(), 0.0, null,
            "smallest confirmed shift reported, sigma");
    public static final Setting MIN_CHANGE_PCT = Setting.doubleValue("drift.min-change-pct", D.minChangePct(), 0.0, null,
            "smallest confirmed shift reported, percent of the baseline");
    public static final Setting BASELINE_HALF_LIFE_SAMPLES = Setting.longValue("drift.baseline-half-life-samples",
            D.baselineHalfLifeSamples(), 1, Integer.MAX_VALUE, "half-life of the EWMA baseline and noise while quiet, samples");
    public static final Setting REBASELINE_AFTER_SAMPLES = Setting.longValue("drift.rebaseline-after-samples",
            D.rebaselineAfterSamples(), 3, Integer.MAX_VALUE,
            "an armed CUSUM that never grows past the reporting minimums is absorbed after this many samples (at least confirm-samples)");
    public static final Setting SEVERITY_WARNING_PCT = Setting.doubleValue("drift.severity-warning-pct", T.warningPct(), 0.0,
            null, "|change_pct| at or above which a signal is WARNING (below: INFO)");
    public static final Setting SEVERITY_CRITICAL_PCT = Setting.doubleValue("drift.severity-critical-pct", T.criticalPct(), 0.0,
            null, "|change_pct| at or above which a signal is CRITICAL (at least severity-warning-pct)");
    public static final Setting IDLE_FLOOR_PCT = Setting.doubleValue("drift.idle-floor-pct", T.idleFloorPct(), null, 100.0,
            "a held GPU under this utilization, percent (above 0), counts as idle");
    public static final Setting IDLE_AFTER = Setting.duration("drift.idle-after", "30m", "1ms", null,
            "how long a held GPU stays under the floor before the workload's idle episode is reported");
    public static final Setting IDLE_CRITICAL_MICRO_USD_PER_HOUR = Setting.longValue("drift.idle-critical-micro-usd-per-hour",
            T.idleCriticalMicroUsdPerHour(), 0, Long.MAX_VALUE,
            "an idle episode wasting at least this much, micro-USD per hour, is CRITICAL (below: WARNING)");

    public static final List<Setting> THRESHOLDS = List.of(WARMUP_SAMPLES, CONFIRM_SAMPLES, CUSUM_K, CUSUM_H, CLIP_SIGMA,
            MIN_SHIFT_SIGMA, MIN_CHANGE_PCT, BASELINE_HALF_LIFE_SAMPLES, REBASELINE_AFTER_SAMPLES, SEVERITY_WARNING_PCT,
            SEVERITY_CRITICAL_PCT, IDLE_FLOOR_PCT, IDLE_AFTER, IDLE_CRITICAL_MICRO_USD_PER_HOUR);

    /** Per-workload overrides: drift.workload.<workload>.<name> for each threshold, unset = drift.<name>. */
    public static final List<Setting> PER_WORKLOAD = THRESHOLDS.stream().map(DriftConfig::perWorkload).toList();

    /** What the drift topology reads. */
    public static final List<Setting> SETTINGS = settings();

    private static Setting perWorkload(Setting threshold) {
        return threshold.withKey("drift.workload.<workload>." + threshold.key().substring("drift.".length()), null,
                "for one workload; unset: " + threshold.key());
    }

    private static List<Setting> settings() {
        List<Setting> all = new ArrayList<>(List.of(KafkaSettings.REGISTRY_URL, SAMPLES_TOPIC, COST_TOPIC, OUTPUT_TOPIC,
                WORKLOAD_BUCKET, POWER_PER_UTIL_MIN_UTIL_PCT, GPU_RELEASED_AFTER, COST_GRACE, STATE_RETENTION,
                WorkloadBatching.SEND_INTERVAL, COMMIT_INTERVAL));
        all.addAll(THRESHOLDS);
        all.addAll(PER_WORKLOAD);
        return List.copyOf(all);
    }

    public DriftConfig {
        require(schemaRegistryUrl != null && !schemaRegistryUrl.isBlank(), KafkaSettings.REGISTRY_URL.key(), "is not set",
                "name the schema registry, e.g. http://localhost:8081");
        require(samplesTopic != null && !samplesTopic.isBlank(), SAMPLES_TOPIC.key(), "is empty", "name a topic");
        require(costTopic != null && !costTopic.isBlank(), COST_TOPIC.key(), "is empty", "name a topic");
        require(driftTopic != null && !driftTopic.isBlank(), OUTPUT_TOPIC.key(), "is empty", "name a topic");
        require(defaults != null, "drift.*", "has no defaults", "give the default thresholds");
        workloadOverrides = Map.copyOf(workloadOverrides == null ? Map.of() : workloadOverrides);
        require(workloadBucket != null && workloadBucket.toMillis() >= 1000, WORKLOAD_BUCKET.key(), workloadBucket
                + " is under a second", "use a duration of at least one second, e.g. 10s");
        require(powerPerUtilMinUtilPct > 0 && powerPerUtilMinUtilPct <= 100, POWER_PER_UTIL_MIN_UTIL_PCT.key(),
                powerPerUtilMinUtilPct + " is out of range", "use a percentage in (0, 100] (try 10)");
        require(gpuReleasedAfter != null && gpuReleasedAfter.toMillis() >= 1000, GPU_RELEASED_AFTER.key(), gpuReleasedAfter
                + " is under a second", "use a duration of at least one second, e.g. 5m");
        require(costGrace != null && !costGrace.isNegative(), COST_GRACE.key(), costGrace + " is negative", "use e.g. 15m");
        require(stateRetention != null, STATE_RETENTION.key(), "is not set", "use a duration, e.g. 7d");
        // the longest span over which an entry is still read after its last activity
        Duration longest = max(max(workloadBucket, gpuReleasedAfter), max(costGrace, defaults.idleAfter()));
        String longestName = WORKLOAD_BUCKET.key() + ", " + GPU_RELEASED_AFTER.key() + ", " + COST_GRACE.key() + " and "
                + IDLE_AFTER.key();
        for (DriftThresholds t : workloadOverrides.values()) {
            longest = max(longest, t.idleAfter());
        }
        costline.streams.runtime.StateExpiry.requireLonger(STATE_RETENTION.key(), stateRetention,
                longestName + " (overrides included)", longest);
    }

    /** From the settings: absent keys take the defaults, a workload's absent thresholds those of drift.<name>. */
    public static DriftConfig from(Settings s) {
        DriftThresholds defaults = thresholds(s, DriftThresholds.DEFAULTS, UnaryOperator.identity());
        TreeSet<String> workloads = new TreeSet<>();
        PER_WORKLOAD.forEach(p -> workloads.addAll(s.byName(p).keySet()));
        Map<String, DriftThresholds> overrides = new HashMap<>();
        for (String workload : workloads) {
            overrides.put(workload, thresholds(s, defaults, t -> perWorkload(t).forName(workload)));
        }
        return new DriftConfig(s.string(KafkaSettings.REGISTRY_URL), s.string(SAMPLES_TOPIC), s.string(COST_TOPIC),
                s.string(OUTPUT_TOPIC), defaults, overrides, s.duration(WORKLOAD_BUCKET),
                s.doubleValue(POWER_PER_UTIL_MIN_UTIL_PCT), s.duration(GPU_RELEASED_AFTER), s.duration(COST_GRACE),
                s.duration(STATE_RETENTION));
    }

    /**
     * The thresholds {@code keyOf} names (the defaults' own keys, or one workload's), each absent one taken from
     * {@code base}. The records check values against each other and name the drift.<name> key; a workload's bad
     * override is reported under its own key.
     */
    private static DriftThresholds thresholds(Settings s, DriftThresholds base, UnaryOperator<Setting> keyOf) {
        DetectorParams d = base.detector();
        try {
            DetectorParams params = new DetectorParams(
                    (int) whole(s, keyOf.apply(WARMUP_SAMPLES), d.warmupSamples()),
                    (int) whole(s, keyOf.apply(CONFIRM_SAMPLES), d.confirmSamples()),
                    number(s, keyOf.apply(CUSUM_K), d.cusumK()),
                    number(s, keyOf.apply(CUSUM_H), d.cusumH()),
                    number(s, keyOf.apply(CLIP_SIGMA), d.clipSigma()),
                    number(s, keyOf.apply(MIN_SHIFT_SIGMA), d.minShiftSigma()),
                    number(s, keyOf.apply(MIN_CHANGE_PCT), d.minChangePct()),
                    (int) whole(s, keyOf.apply(BASELINE_HALF_LIFE_SAMPLES), d.baselineHalfLifeSamples()),
                    (int) whole(s, keyOf.apply(REBASELINE_AFTER_SAMPLES), d.rebaselineAfterSamples()));
            Setting idleAfter = keyOf.apply(IDLE_AFTER);
            return new DriftThresholds(params,
                    number(s, keyOf.apply(SEVERITY_WARNING_PCT), base.warningPct()),
                    number(s, keyOf.apply(SEVERITY_CRITICAL_PCT), base.criticalPct()),
                    number(s, keyOf.apply(IDLE_FLOOR_PCT), base.idleFloorPct()),
                    s.has(idleAfter.key()) ? s.duration(idleAfter) : base.idleAfter(),
                    whole(s, keyOf.apply(IDLE_CRITICAL_MICRO_USD_PER_HOUR), base.idleCriticalMicroUsdPerHour()));
        } catch (SettingsException e) {
            Setting threshold = THRESHOLDS.stream().filter(t -> t.key().equals(e.key())).findFirst().orElse(null);
            if (threshold == null) {
                throw e;
            }
            Setting given = keyOf.apply(threshold);
            throw new SettingsException(given.key(), (s.has(given.key()) ? "'" + s.string(given) + "' "
                    : "(" + threshold.key() + ") ") + e.problem(), e.fix());
        }
    }

    private static long whole(Settings s, Setting key, long base) {
        return s.has(key.key()) ? s.longValue(key) : base;
    }

    private static double number(Settings s, Setting key, double base) {
        return s.has(key.key()) ? s.doubleValue(key) : base;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** The defaults everywhere, standard topics. */
    public static DriftConfig defaults(String schemaRegistryUrl) {
        return new DriftConfig(schemaRegistryUrl, Topics.GPU_SAMPLES, Topics.GPU_COST, Topics.GPU_DRIFT,
                DriftThresholds.DEFAULTS, Map.of(), Duration.ofSeconds(10), 10.0, Duration.ofMinutes(5),
                Duration.ofMinutes(15));
    }

    public DriftConfig withOverrides(Map<String, DriftThresholds> overrides) {
        return new DriftConfig(schemaRegistryUrl, samplesTopic, costTopic, driftTopic, defaults, overrides,
                workloadBucket, powerPerUtilMinUtilPct, gpuReleasedAfter, costGrace, stateRetention);
    }

    public DriftConfig withDefaults(DriftThresholds newDefaults) {
        return new DriftConfig(schemaRegistryUrl, samplesTopic, costTopic, driftTopic, newDefaults,
                workloadOverrides, workloadBucket, powerPerUtilMinUtilPct, gpuReleasedAfter, costGrace, stateRetention);
    }

    public DriftConfig withStateRetention(Duration retention) {
        return new DriftConfig(schemaRegistryUrl, samplesTopic, costTopic, driftTopic, defaults, workloadOverrides,
                workloadBucket, powerPerUtilMinUtilPct, gpuReleasedAfter, costGrace, retention);
    }

    public DriftThresholds thresholdsFor(String workload) {
        return workloadOverrides.getOrDefault(workload, defaults);
    }
}
