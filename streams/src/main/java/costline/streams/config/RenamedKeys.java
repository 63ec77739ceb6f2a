package costline.streams.config;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keys costline once read under another name. A settings file or environment variable that still uses one stops
 * start-up naming the old key and its new name (with the value rewritten where the unit changed): an old key left in
 * a file must never be silently ignored while its setting falls back to the default.
 */
public final class RenamedKeys {

    /** One rename; {@code millisToDuration}: the old key held milliseconds, the new one a duration. */
    public record Rename(String oldKey, String newKey, boolean millisToDuration) {
    }

    private static final List<String> DRIFT_THRESHOLDS = List.of("warmup.samples", "confirm.samples", "cusum.k", "cusum.h",
            "clip.sigma", "min.shift.sigma", "min.change.pct", "baseline.half.life.samples", "rebaseline.after.samples",
            "severity.warning.pct", "severity.critical.pct", "idle.floor.pct", "idle.after",
            "idle.critical.micro.usd.per.hour");

    /** Old key -> rename, in the order of the README's list. */
    public static final Map<String, Rename> ALL = build();

    private RenamedKeys() {
    }

    private static Map<String, Rename> build() {
        Map<String, Rename> m = new LinkedHashMap<>();
        ms(m, "cost.emit.interval.ms", "cost.emit-interval");
        ms(m, "cost.max.future.ms", "cost.max-future");
        ms(m, "cost.max.interval.ms", "cost.max-interval");
        ms(m, "cost.dedup.window.ms", "cost.dedup-window");
        ms(m, "cost.energy.max.gap.ms", "cost.energy-max-gap");
        ms(m, "cost.max.age.ms", "cost.max-age");
        same(m, "sink.batch.size", "sink.batch-size");
        ms(m, "sink.poll.ms", "sink.poll-timeout");
        ms(m, "sink.retry.initial.ms", "sink.retry-initial");
        ms(m, "sink.retry.max.ms", "sink.retry-max");
        same(m, "sink.group.id", "sink.group-id");
        same(m, "focus.onprem.provider", "focus.onprem-provider");
        same(m, "focus.onprem.service", "focus.onprem-service");
        same(m, "focus.onprem.billing-account", "focus.onprem-billing-account");
        same(m, "focus.cloud.billing-account", "focus.cloud-billing-account");
        same(m, "focus.cloud.billing-account-name", "focus.cloud-billing-account-name");
        same(m, "drift.topic.samples", "drift.samples-topic");
        same(m, "drift.topic.cost", "drift.cost-topic");
        same(m, "drift.topic.drift", "drift.output-topic");
        same(m, "drift.workload.bucket", "drift.workload-bucket");
        same(m, "drift.power.per.util.min.util.pct", "drift.power-per-util-min-util-pct");
        same(m, "drift.gpu.released.after", "drift.gpu-released-after");
        same(m, "drift.cost.grace", "drift.cost-grace");
        for (String t : DRIFT_THRESHOLDS) {
            same(m, "drift." + t, "drift." + t.replace('.', '-'));
        }
        return m;
    }

    private static void ms(Map<String, Rename> m, String oldKey, String newKey) {
        m.put(oldKey, new Rename(oldKey, newKey, true));
    }

    private static void same(Map<String, Rename> m, String oldKey, String newKey) {
        m.put(oldKey, new Rename(oldKey, newKey, false));
    }

    /** The rename of {@code key}, per-workload drift overrides ({@code drift.workload.<w>.idle.floor.pct}) included. */
    public static Rename of(String key) {
        Rename r = ALL.get(key);
        if (r != null || !key.startsWith("drift.workload.")) {
            return r;
        }
        for (String t : DRIFT_THRESHOLDS) {
            if (key.endsWith("." + t) && key.length() > "drift.workload.".length() + t.length() + 1) {
                return new Rename(key, key.substring(0, key.length() - t.length()) + t.replace('.', '-'), false);
            }
        }
        return null;
    }

    /** Throws for the first file key or environment variable that uses an old name. */
    static void refuse(Collection<String> keys, Collection<String> envNames) {
        for (String key : keys) {
            Rename r = of(key);
            if (r != null) {
                throw new SettingsException(key, "was renamed to '" + r.newKey() + "'" + (r.millisToDuration()
                        ? " and takes a duration now" : ""), "write " + r.newKey() + (r.millisToDuration()
                        ? " with a unit, e.g. " + r.newKey() + "=<old value>ms" : " instead"));
            }
        }
        for (Rename r : ALL.values()) {
            String oldVar = Settings.envVarOf(r.oldKey());
            String newVar = Settings.envVarOf(r.newKey());
            // dots and dashes are both underscores in a variable's name: most renames leave the variable as it was
            if (!oldVar.equals(newVar) && envNames.contains(oldVar)) {
                throw new SettingsException(oldVar, "was renamed to " + newVar + " (key '" + r.newKey() + "')"
                        + (r.millisToDuration() ? " and takes a duration now" : ""), "set " + newVar
                        + (r.millisToDuration() ? " with a unit, e.g. <old value>ms" : " instead"));
            }
        }
    }
}
