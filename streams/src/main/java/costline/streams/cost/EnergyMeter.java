package costline.streams.cost;

import costline.pricing.CostModel;

/**
 * Energy of on-prem samples, never counted twice.
 *
 * <p>The NVML energy counter is cumulative and read on a slower cadence than power, so most samples carry only
 * power. Per GPU the topology keeps the last counter reading and the power-based estimates charged since it:
 * <ul>
 *   <li>A sample without the counter is charged power x interval (0 when power is unknown) and the estimate is
 *       remembered as provisional.</li>
 *   <li>A sample with the counter, when a previous reading exists, is not older, not smaller (no driver reload) and
 *       at most {@code maxGapMs} back, is charged the metered energy since that reading minus the provisional
 *       estimates already charged: the samples between two readings then add up to exactly the counter's delta.
 *       The result may be negative when power over-estimated; it is a correction, and sums stay exact.</li>
 *   <li>A counter that restarts (smaller than the baseline: driver reload, GPU reset, a wrap-around), a counter
 *       that jumps by more than the GPU can draw since the baseline ({@code maxWatts} x elapsed: a wrap of a
 *       narrower counter, a swapped board under the same id), a first reading or a gap over {@code maxGapMs}: the
 *       sample is charged power x interval and the reading becomes the new baseline. So a reset is never charged
 *       as negative energy and a jump never as the whole counter.</li>
 *   <li>A late sample without the counter whose time lies inside a span already settled by two readings is charged
 *       0: the counter's delta already holds its energy.</li>
 * </ul>
 */
final class EnergyMeter {

    /** Sentinel for "this baseline closed no span" (it was a first reading or a reset). */
    static final long NO_SPAN = Long.MIN_VALUE;

    /** The last counter reading of one GPU and what was charged after it. */
    record State(long counterMj, long atMs, long spanStartMs, long provisionalMj) {
    }

    record Charge(long energyMj, State next) {
    }

    private EnergyMeter() {
    }

    static Charge charge(State st, long sampleTimeMs, long intervalMs, Long counterMj, Float powerW, long maxGapMs,
                         float maxWatts) {
        long estimate = powerW == null ? 0 : CostModel.energyMjFromPower(powerW, intervalMs);
        if (counterMj != null && (st == null || sampleTimeMs > st.atMs())) {
            // W x ms = mJ: the most energy the GPU can have drawn since the baseline
            boolean usable = st != null && counterMj >= st.counterMj() && sampleTimeMs - st.atMs() <= maxGapMs
                    && counterMj - st.counterMj() <= (long) Math.ceil((double) maxWatts * (sampleTimeMs - st.atMs()));
            if (usable) {
                long metered = counterMj - st.counterMj();
                return new Charge(metered - st.provisionalMj(), new State(counterMj, sampleTimeMs, st.atMs(), 0));
            }
            return new Charge(estimate, new State(counterMj, sampleTimeMs, NO_SPAN, 0));
        }
        if (st == null) {
            return new Charge(estimate, null);
        }
        if (sampleTimeMs > st.atMs()) {
            return new Charge(estimate, new State(st.counterMj(), st.atMs(), st.spanStartMs(), st.provisionalMj() + estimate));
        }
        if (st.spanStartMs() != NO_SPAN && sampleTimeMs > st.spanStartMs()) {
            return new Charge(0, st);
        }
        return new Charge(estimate, st);
    }
}
