package costline.streams.cost;

import costline.events.GpuSample;

/** The cost topology's validation: {@link SampleRules} with its settings, then the partition's lateness. */
final class SampleValidator {

    private SampleValidator() {
    }

    static SampleRules.Problem check(GpuSample s, long nowMs, long watermarkMs, CostSettings cfg) {
        SampleRules.Problem p = SampleRules.check(s, nowMs, cfg.maxIntervalMs(), cfg.maxFutureMs(), cfg.maxAgeMs());
        if (p != null) {
            return p;
        }
        long t = s.getSampleTime().toEpochMilli();
        if (watermarkMs != Long.MIN_VALUE && t < watermarkMs - cfg.dedupWindowMs()) {
            return new SampleRules.Problem(DlqReason.TOO_LATE, "sample_time " + s.getSampleTime() + " is more than "
                    + cfg.dedupWindowMs() + " ms behind the newest sample of this partition");
        }
        return null;
    }
}
