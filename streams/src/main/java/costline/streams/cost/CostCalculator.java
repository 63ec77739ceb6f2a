package costline.streams.cost;

import costline.events.GpuSample;
import costline.events.PriceEntry;
import costline.events.Site;
import costline.events.WorkloadShare;
import costline.pricing.CostModel;
import costline.pricing.Shares;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cost model applied to one sample (DESIGN "Cost model"): cost = rate x interval (on-prem: amortized capex and
 * ops x interval + metered energy x PUE x $/kWh), split over the workloads by share with {@link Shares} (the parts
 * sum exactly to the whole), each part split into busy (x utilization / 100, rounded half-even) and idle (the rest).
 * GPU time with no workload, or the part of it the shares leave over, goes to {@link #UNALLOCATED}.
 */
final class CostCalculator {

    static final String UNALLOCATED = costline.schemas.Topics.UNALLOCATED;
    /** Shares may miss 1 by this much (float rounding at the collector) before the rest counts as unallocated. */
    static final double SHARE_TOLERANCE = 1e-3;

    private CostCalculator() {
    }

    /** Total cost of the sample's interval, micro-USD. */
    static long totalMicroUsd(GpuSample s, PriceEntry price, long energyMj, long intervalMs) {
        if (s.getSite() == Site.CLOUD) {
            return CostModel.cloudCostMicroUsd(price.getCloudPrice(), intervalMs);
        }
        return CostModel.onPremFixedCostMicroUsd(price.getOnprem(), intervalMs)
                + CostModel.energyCostMicroUsd(price.getOnprem(), energyMj);
    }

    static List<Part> parts(GpuSample s, PriceEntry price, long energyMj) {
        return parts(s, price, energyMj, s.getIntervalMs(), 1);
    }

    /**
     * The parts of {@code intervalMs} of the sample (all of it, or the run of it one price version covers), priced at
     * {@code price}; {@code samples} is 1 for the run that holds the sample's own time, 0 for the others.
     */
    static List<Part> parts(GpuSample s, PriceEntry price, long energyMj, long intervalMs, int samples) {
        Map<String, double[]> shares = new LinkedHashMap<>();
        Map<String, String> teams = new LinkedHashMap<>();
        double sum = 0;
        for (WorkloadShare w : s.getWorkloads()) {
            shares.computeIfAbsent(w.getWorkload(), k -> new double[1])[0] += w.getShare();
            if (w.getTeam() != null) {
                teams.put(w.getWorkload(), w.getTeam());
            }
            sum += w.getShare();
        }
        if (shares.isEmpty() || sum < 1 - SHARE_TOLERANCE) {
            shares.computeIfAbsent(UNALLOCATED, k -> new double[1])[0] += Math.max(0, 1 - sum);
        }
        String[] names = shares.keySet().toArray(String[]::new);
        double[] weights = new double[names.length];
        for (int i = 0; i < names.length; i++) {
            weights[i] = shares.get(names[i])[0];
        }
        long total = totalMicroUsd(s, price, energyMj, intervalMs);
        long[] cost = Shares.split(total, weights);
        long[] ms = Shares.split(intervalMs, weights);
        long[] energy = s.getSite() == Site.CLOUD ? new long[names.length] : Shares.split(energyMj, weights);
        // Utilization as the collector wrote it (decimal text of the float), so 33.3 means 33.3, not 33.2999992.
        BigDecimal util = s.getUtilGpuPct() == null ? BigDecimal.ZERO : new BigDecimal(Float.toString(s.getUtilGpuPct()));
        List<Part> out = new ArrayList<>(names.length);
        for (int i = 0; i < names.length; i++) {
            long busyCost = busy(cost[i], util);
            out.add(new Part(names[i], teams.get(names[i]), ms[i], busy(ms[i], util), cost[i], cost[i] - busyCost, energy[i], samples));
        }
        return out;
    }

    /** amount x utilPct / 100, rounded half-even to a whole unit. */
    static long busy(long amount, BigDecimal utilPct) {
        // exact in longs where amount x the utilization's digits and 100 x 10^scale fit (always, for a percentage
        // with a float's 9 digits and amounts below 10^9); BigDecimal otherwise, with the same rounding
        int scale = utilPct.scale();
        if (scale >= 0 && scale <= 16 && utilPct.precision() <= 18) {
            long digits = utilPct.unscaledValue().longValue();
            long den = POW10[scale + 2];
            long hi = Math.multiplyHigh(amount, digits);
            long num = amount * digits;
            if ((hi == 0 && num >= 0) || (hi == -1 && num < 0)) {
                return divideHalfEven(num, den);
            }
        }
        return BigDecimal.valueOf(amount).multiply(utilPct).divide(BigDecimal.valueOf(100), 0, RoundingMode.HALF_EVEN)
                .longValueExact();
    }

    private static final long[] POW10 = new long[19];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
    }

    /** num / den (den > 0) rounded half-even, as BigDecimal's HALF_EVEN does. */
    static long divideHalfEven(long num, long den) {
        long q = num / den;
        long r = num % den; // same sign as num
        long twice = 2 * Math.abs(r); // < 2 x 10^18: no overflow
        if (twice > den || (twice == den && (q & 1) != 0)) {
            q += num < 0 ? -1 : 1;
        }
        return q;
    }

    /** The minute a sample is booked to: the one holding its last millisecond. */
    static long windowStart(long sampleTimeMs) {
        return Math.floorDiv(sampleTimeMs - 1, 60_000L) * 60_000L;
    }

    /** Starts of the minutes that [sampleTime - interval, sampleTime) touches, oldest first. */
    static long[] minutesCovered(long sampleTimeMs, long intervalMs) {
        long last = windowStart(sampleTimeMs);
        long first = Math.min(last, Math.floorDiv(sampleTimeMs - Math.max(1, intervalMs), 60_000L) * 60_000L);
        long[] minutes = new long[(int) ((last - first) / 60_000L) + 1];
        for (int i = 0; i < minutes.length; i++) {
            minutes[i] = first + i * 60_000L;
        }
        return minutes;
    }

    /** Milliseconds of [sampleTime - interval, sampleTime) in each of {@code minutes}. */
    static double[] overlapMs(long[] minutes, long sampleTimeMs, long intervalMs) {
        long start = sampleTimeMs - Math.max(1, intervalMs);
        double[] overlap = new double[minutes.length];
        for (int i = 0; i < minutes.length; i++) {
            overlap[i] = Math.min(sampleTimeMs, minutes[i] + 60_000L) - Math.max(start, minutes[i]);
        }
        return overlap;
    }

    /**
     * A part spread over minutes by weight, every amount split exactly (the pieces sum to the whole); the sample
     * itself is counted in the last minute, the one it is stamped in.
     */
    static Part[] spread(Part p, double[] weights) {
        if (weights.length == 1) {
            return new Part[] {p};
        }
        long[] ms = Shares.split(p.gpuMs(), weights);
        long[] busyMs = Shares.split(p.busyGpuMs(), weights);
        long[] cost = Shares.split(p.costMicroUsd(), weights);
        long[] busyCost = Shares.split(p.costMicroUsd() - p.idleMicroUsd(), weights);
        long[] energy = Shares.split(p.energyMj(), weights);
        Part[] out = new Part[weights.length];
        for (int i = 0; i < weights.length; i++) {
            out[i] = new Part(p.workload(), p.team(), ms[i], busyMs[i], cost[i], cost[i] - busyCost[i], energy[i],
                    i == weights.length - 1 ? p.samples() : 0);
        }
        return out;
    }
}
