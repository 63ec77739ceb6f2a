package costline.streams.finance;

import costline.events.CostRecord;

/**
 * Why a CostRecord is malformed, or null when it can be counted. Reason codes go into the dead-letter header.
 *
 * <p>gpu.cost holds signed increments: a correction (a re-read CloudWatch period, a metered energy reading below the
 * power estimate) lowers an earlier figure with a negative one. That is data, and every consumer sums it; only the
 * running totals it lands in must stay non-negative, which the consumer that keeps them checks.
 */
public final class CostRecordCheck {

    private CostRecordCheck() {
    }

    /** This check as a {@link costline.streams.config.DecodedSource} check (drift reads gpu.cost with it). */
    public static costline.streams.config.DecodedSource.Check<CostRecord> asCheck() {
        return (r, nowMs) -> {
            String reason = reasonOf(r);
            return reason == null ? null : new costline.streams.config.Decoding.Refusal(reason, String.valueOf(r));
        };
    }

    public static String reasonOf(CostRecord r) {
        if (r == null) {
            return "NULL_VALUE";
        }
        if (r.getWorkload() == null || r.getWorkload().isBlank()) {
            return "NO_WORKLOAD";
        }
        if (r.getGpuModel() == null || r.getGpuModel().isBlank()) {
            return "NO_GPU_MODEL";
        }
        if (r.getWindowStart() == null || r.getWindowEnd() == null || !r.getWindowEnd().isAfter(r.getWindowStart())) {
            return "BAD_WINDOW";
        }
        return null;
    }
}
