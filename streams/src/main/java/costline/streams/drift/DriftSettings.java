package costline.streams.drift;

import costline.schemas.Topics;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Reads a {@link DriftConfig} from flat settings (a properties file, environment, command line), every key
 * declared once below with its default. Thresholds are {@code drift.<key>} for the defaults and
 * {@code drift.workload.<workload>.<key>} for one workload; an override starts from the defaults. An unknown
 * {@code drift.*} key, a value that does not parse, or one out of range stops start-up with the key and the fix.
 */
public final class DriftSettings {

    public static final String REGISTRY_URL = "schema.registry.url";
    public static final String TOPIC_SAMPLES = "drift.topic.samples";
    public static final String TOPIC_COST = "drift.topic.cost";
    public static final String TOPIC_DRIFT = "drift.topic.drift";
    public static final String WORKLOAD_BUCKET = "drift.workload.bucket";
    public static final String PPU_MIN_UTIL = "drift.power.per.util.min.util.pct";
    public static final String GPU_RELEASED_AFTER = "drift.gpu.released.after";
    public static final String COST_GRACE = "drift.cost.grace";
    public static final String STATE_RETENTION = "drift.state.retention";
    private static final String WORKLOAD_PREFIX = "drift.workload.";

    /** Threshold keys (after {@code drift.} or {@code drift.workload.<name>.}), in documentation order. */
    public static final List<String> THRESHOLD_KEYS = List.of("warmup.samples", "confirm.samples", "cusum.k",
            "cusum.h", "clip.sigma", "min.shift.sigma", "min.change.pct", "baseline.half.life.samples",
            "rebaseline.after.samples", "severity.warning.pct", "severity.critical.pct", "idle.floor.pct",
            "idle.after", "idle.critical.micro.usd.per.hour");

    private DriftSettings() {
    }

    public static DriftConfig from(Properties props) {
        Map<String, String> map = new HashMap<>();
        props.stringPropertyNames().forEach(k -> map.put(k, props.getProperty(k)));
        return from(map);
    }

    public static DriftConfig from(Map<String, String> settings) {
        Map<String, String> defaultKeys = new LinkedHashMap<>();
        Map<String, Map<String, String>> overrideKeys = new TreeMap<>();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith("drift.") || List.of(TOPIC_SAMPLES, TOPIC_COST, TOPIC_DRIFT, WORKLOAD_BUCKET,
                    PPU_MIN_UTIL, GPU_RELEASED_AFTER, COST_GRACE, STATE_RETENTION).contains(key)) {
                continue;
            }
            String rest = key.substring("drift.".length());
            if (THRESHOLD_KEYS.contains(rest)) {
                defaultKeys.put(rest, e.getValue());
                continue;
            }
            String suffix = key.startsWith(WORKLOAD_PREFIX) ? thresholdSuffix(key) : null;
            String workload = suffix == null ? null
                    : key.substring(WORKLOAD_PREFIX.length(), key.length() - suffix.length() - 1);
            if (workload == null || workload.isEmpty()) {
                throw new IllegalArgumentException("unknown drift setting '" + key + "': use drift.<key> or "
                        + "drift.workload.<workload>.<key> with <key> one of " + THRESHOLD_KEYS + ", or one of "
                        + List.of(TOPIC_SAMPLES, TOPIC_COST, TOPIC_DRIFT, WORKLOAD_BUCKET, PPU_MIN_UTIL,
                        GPU_RELEASED_AFTER, COST_GRACE, STATE_RETENTION));
            }
            overrideKeys.computeIfAbsent(workload, w -> new LinkedHashMap<>()).put(suffix, e.getValue());
        }
        DriftThresholds defaults = thresholds(DriftThresholds.DEFAULTS, defaultKeys, "drift.");
        Map<String, DriftThresholds> overrides = new HashMap<>();
        overrideKeys.forEach((workload, keys) ->
                overrides.put(workload, thresholds(defaults, keys, WORKLOAD_PREFIX + workload + ".")));
        DriftConfig base = DriftConfig.defaults(settings.getOrDefault(REGISTRY_URL, ""));
        return new DriftConfig(base.schemaRegistryUrl(),
                settings.getOrDefault(TOPIC_SAMPLES, Topics.GPU_SAMPLES),
                settings.getOrDefault(TOPIC_COST, Topics.GPU_COST),
                settings.getOrDefault(TOPIC_DRIFT, Topics.GPU_DRIFT),
                defaults, overrides,
                duration(settings, WORKLOAD_BUCKET, base.workloadBucket()),
                number(settings.get(PPU_MIN_UTIL), PPU_MIN_UTIL, base.powerPerUtilMinUtilPct()),
                duration(settings, GPU_RELEASED_AFTER, base.gpuReleasedAfter()),
                duration(settings, COST_GRACE, base.costGrace()),
                duration(settings, STATE_RETENTION, base.stateRetention()));
    }

    private static String thresholdSuffix(String key) {
        for (String k : THRESHOLD_KEYS) {
            if (key.endsWith("." + k)) {
                return k;
            }
        }
        return null;
    }

    private static DriftThresholds thresholds(DriftThresholds base, Map<String, String> keys, String prefix) {
        DetectorParams d = base.detector();
        try {
            DetectorParams params = new DetectorParams(
                    integer(keys.get("warmup.samples"), prefix + "warmup.samples", d.warmupSamples()),
                    integer(keys.get("confirm.samples"), prefix + "confirm.samples", d.confirmSamples()),
                    number(keys.get("cusum.k"), prefix + "cusum.k", d.cusumK()),
                    number(keys.get("cusum.h"), prefix + "cusum.h", d.cusumH()),
                    number(keys.get("clip.sigma"), prefix + "clip.sigma", d.clipSigma()),
                    number(keys.get("min.shift.sigma"), prefix + "min.shift.sigma", d.minShiftSigma()),
                    number(keys.get("min.change.pct"), prefix + "min.change.pct", d.minChangePct()),
                    integer(keys.get("baseline.half.life.samples"), prefix + "baseline.half.life.samples",
                            d.baselineHalfLifeSamples()),
                    integer(keys.get("rebaseline.after.samples"), prefix + "rebaseline.after.samples",
                            d.rebaselineAfterSamples()));
            return new DriftThresholds(params,
                    number(keys.get("severity.warning.pct"), prefix + "severity.warning.pct", base.warningPct()),
                    number(keys.get("severity.critical.pct"), prefix + "severity.critical.pct", base.criticalPct()),
                    number(keys.get("idle.floor.pct"), prefix + "idle.floor.pct", base.idleFloorPct()),
                    duration(keys.get("idle.after"), prefix + "idle.after", base.idleAfter()),
                    (long) integerLong(keys.get("idle.critical.micro.usd.per.hour"),
                            prefix + "idle.critical.micro.usd.per.hour", base.idleCriticalMicroUsdPerHour()));
        } catch (IllegalArgumentException e) {
            // The records name the short key; say which full key (default or which workload) it was.
            String msg = e.getMessage();
            if (msg != null && msg.startsWith("drift setting '") && !msg.startsWith("drift setting '" + prefix)) {
                msg = "drift setting '" + prefix + msg.substring("drift setting '".length());
            }
            throw new IllegalArgumentException(msg, e);
        }
    }

    private static double number(String value, String key, double dflt) {
        if (value == null) {
            return dflt;
        }
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("drift setting '" + key + "' = '" + value + "' is not a number");
        }
    }

    private static int integer(String value, String key, int dflt) {
        long v = integerLong(value, key, dflt);
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw new IllegalArgumentException("drift setting '" + key + "' = '" + value + "' is too large");
        }
        return (int) v;
    }

    private static long integerLong(String value, String key, long dflt) {
        if (value == null) {
            return dflt;
        }
        try {
            return Long.parseLong(value.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("drift setting '" + key + "' = '" + value
                    + "' is not a whole number");
        }
    }

    private static Duration duration(Map<String, String> settings, String key, Duration dflt) {
        return duration(settings.get(key), key, dflt);
    }

    /** The one duration grammar ({@link costline.streams.config.Durations}). */
    static Duration duration(String value, String key, Duration dflt) {
        if (value == null) {
            return dflt;
        }
        return costline.streams.config.Durations.parse(value).orElseThrow(() -> new IllegalArgumentException(
                "drift setting '" + key + "' = '" + value + "' is not a duration: write "
                        + costline.streams.config.Durations.GRAMMAR));
    }
}
