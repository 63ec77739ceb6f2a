package costline.streams.drift;

import costline.events.DriftMetric;
import costline.events.DriftSignal;
import costline.events.EntityType;
import costline.events.Severity;

/** Builds DriftSignal events: change percent and severity are decided here, once. */
final class DriftSignals {

    /** |change_pct| is capped here (and a zero baseline reports the cap), so the field is always finite. */
    static final double CHANGE_PCT_CAP = 10_000.0;

    private DriftSignals() {
    }

    static DriftSignal of(String entity, EntityType type, DriftMetric metric, Detection d, DriftThresholds t) {
        double pct = changePct(d.baseline(), d.current());
        return DriftSignal.newBuilder()
                .setEntity(entity)
                .setEntityType(type)
                .setMetric(metric)
                .setBaseline(d.baseline())
                .setCurrent(d.current())
                .setChangePct(pct)
                .setDirection(d.direction())
                .setStartedAt(java.time.Instant.ofEpochMilli(d.startedAt()))
                .setDetectedAt(java.time.Instant.ofEpochMilli(d.detectedAt()))
                .setSeverity(severity(pct, t))
                .setWastedMicroUsdPerHour(null)
                .build();
    }

    static double changePct(double baseline, double current) {
        double diff = current - baseline;
        if (baseline == 0.0) {
            return diff == 0.0 ? 0.0 : Math.copySign(CHANGE_PCT_CAP, diff);
        }
        double pct = diff / Math.abs(baseline) * 100.0;
        return Math.max(-CHANGE_PCT_CAP, Math.min(CHANGE_PCT_CAP, pct));
    }

    static Severity severity(double changePct, DriftThresholds t) {
        double a = Math.abs(changePct);
        return a >= t.criticalPct() ? Severity.CRITICAL : a >= t.warningPct() ? Severity.WARNING : Severity.INFO;
    }
}
