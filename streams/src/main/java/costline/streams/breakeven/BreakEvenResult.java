package costline.streams.breakeven;

import costline.events.Recommendation;

/**
 * The outcome of {@link BreakEvenCalculator#compute}.
 *
 * @param peakGpus        peak concurrent demand in the window, whole GPUs
 * @param meanGpus        mean concurrent demand, GPUs
 * @param loadDuration    f(k) for k = 1..peakGpus, 0..1
 * @param optimalOwned    N*, GPUs
 * @param recommendation  STAY_CLOUD (N* = 0), BUY (N* covers the peak), HYBRID (own N*, rent the peaks)
 * @param cloudMicroUsdPerGpuHour the cloud rate used, micro-USD per GPU-hour
 * @param owning          what owning one GPU costs
 * @param cloudOnly       the plan that owns nothing
 * @param buy             the plan that owns the peak
 * @param hybrid          the plan that owns N* (the recommended one; equals cloudOnly or buy at the ends)
 */
public record BreakEvenResult(int peakGpus, double meanGpus, double[] loadDuration, int optimalOwned,
                              Recommendation recommendation, long cloudMicroUsdPerGpuHour, OwnershipCost owning,
                              Plan cloudOnly, Plan buy, Plan hybrid) {

    /** Months until buying N* pays for itself; null when N* = 0 or it never does. */
    public Double breakEvenMonths() {
        return hybrid.breakEvenMonths();
    }

    /** Yearly saving of owning N* against cloud only (amortized capex counted), micro-USD per year. */
    public long yearlySavingsMicroUsd() {
        return hybrid.yearlySavingsMicroUsd();
    }

    /** f(k) for 1-based k; 0 beyond the peak. */
    public double f(int k) {
        return k >= 1 && k <= loadDuration.length ? loadDuration[k - 1] : 0;
    }

    @Override
    public double[] loadDuration() {
        return loadDuration.clone();
    }
}
