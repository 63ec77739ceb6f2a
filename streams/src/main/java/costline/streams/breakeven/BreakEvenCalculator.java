package costline.streams.breakeven;

import costline.events.Recommendation;
import costline.pricing.CostModel;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Own or rent, from a demand curve and prices; no Kafka here, so the live topology and the what-if command share
 * it.
 *
 * <p>The load-duration curve f(k) is the share of the window in which demand is at least k GPUs. The k-th owned
 * GPU replaces f(k) x cloud rate x 730 of cloud spend a month and costs its fixed monthly cost plus electricity
 * while in use (f(k) x 730 x energy per GPU-hour), so it pays iff
 * {@code f(k) x (cloud rate - energy rate) x 730 > fixed monthly}. f is non-increasing in k, so the GPUs that pay
 * are exactly 1..N*: N* is the largest such k, and owning N* maximizes the monthly saving.
 *
 * <p>All comparisons are exact (f(k) is a ratio of GPU-milliseconds); money results are whole micro-USD, rounded
 * half-even once.
 */
public final class BreakEvenCalculator {

    private BreakEvenCalculator() {
    }

    /**
     * @param demand               concurrent cloud GPU demand over the window
     * @param cloudMicroUsdPerGpuHour cloud rate of one GPU, micro-USD per hour
     * @param owning               what owning one GPU costs
     */
    public static BreakEvenResult compute(DemandCurve demand, long cloudMicroUsdPerGpuHour, OwnershipCost owning) {
        if (cloudMicroUsdPerGpuHour < 0) {
            throw new IllegalArgumentException("cloud rate cannot be negative: " + cloudMicroUsdPerGpuHour);
        }
        int maxK = demand.maxGpusCeil();
        long[] units = new long[maxK];
        for (int k = 1; k <= maxK; k++) {
            units[k - 1] = demand.unitsOfGpu(k);
        }
        long window = demand.windowMs();
        BigInteger net = BigInteger.valueOf(cloudMicroUsdPerGpuHour - owning.energyPerBusyGpuHourMicroUsd())
                .multiply(BigInteger.valueOf(CostModel.HOURS_PER_MONTH));
        BigInteger threshold = BigInteger.valueOf(window).multiply(BigInteger.valueOf(owning.fixedMonthlyPerGpuMicroUsd()));
        int nStar = 0;
        for (int k = 1; k <= maxK; k++) {
            if (BigInteger.valueOf(units[k - 1]).multiply(net).compareTo(threshold) > 0) {
                nStar = k;
            } else {
                break; // f is non-increasing: no later GPU can pay either
            }
        }
        int peak = demand.peakGpus();
        double[] f = new double[peak];
        for (int k = 1; k <= peak; k++) {
            f[k - 1] = k <= maxK ? (double) units[k - 1] / window : 0;
        }
        Recommendation rec = nStar == 0 ? Recommendation.STAY_CLOUD
                : nStar >= peak ? Recommendation.BUY : Recommendation.HYBRID;
        Prices prices = new Prices(units, window, cloudMicroUsdPerGpuHour, owning);
        return new BreakEvenResult(peak, (double) demand.totalGpuMs() / window, f, nStar, rec,
                cloudMicroUsdPerGpuHour, owning, prices.plan(0), prices.plan(Math.max(peak, nStar)), prices.plan(nStar));
    }

    /** Monthly figures for owning a given number of GPUs against the same demand. */
    private record Prices(long[] units, long window, long rate, OwnershipCost owning) {

        Plan plan(int owned) {
            long ownedUnits = 0;
            long allUnits = 0;
            for (int k = 1; k <= units.length; k++) {
                allUnits += units[k - 1];
                if (k <= owned) {
                    ownedUnits += units[k - 1];
                }
            }
            long cloudRest = monthly(allUnits - ownedUnits, rate);
            long avoided = monthly(ownedUnits, rate);
            long energy = monthly(ownedUnits, owning.energyPerBusyGpuHourMicroUsd());
            long ops = owned * owning.opsMonthlyPerGpuMicroUsd();
            long fixed = owned * owning.fixedMonthlyPerGpuMicroUsd();
            long capex = owned * owning.capexPerGpuMicroUsd();
            return new Plan(owned, capex, cloudRest, ops + energy, avoided, fixed + energy);
        }

        /** units / window x hourly x 730, micro-USD per month. */
        private long monthly(long gpuMs, long perHour) {
            BigInteger num = BigInteger.valueOf(gpuMs).multiply(BigInteger.valueOf(perHour))
                    .multiply(BigInteger.valueOf(CostModel.HOURS_PER_MONTH));
            return new BigDecimal(num).divide(BigDecimal.valueOf(window), 0, RoundingMode.HALF_EVEN).longValueExact();
        }
    }
}
