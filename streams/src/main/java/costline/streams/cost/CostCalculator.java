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
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

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
        // The workloads in order of first appearance, a name's shares summed and its last team kept; a sample names a
        // few, so arrays and a scan (no maps: this runs for every sample).
        List<WorkloadShare> shares = s.getWorkloads();
        int capacity = shares.size() + 1;
        String[] names = new String[capacity];
        String[] teams = new String[capacity];
        double[] weights = new double[capacity];
        int n = 0;
        double sum = 0;
        for (WorkloadShare w : shares) {
            int i = indexOf(names, n, w.getWorkload());
            if (i < 0) {
                i = n++;
                names[i] = w.getWorkload();
            }
            weights[i] += w.getShare();
            if (w.getTeam() != null) {
                teams[i] = w.getTeam();
            }
            sum += w.getShare();
        }
        if (n == 0 || sum < 1 - SHARE_TOLERANCE) {
            int i = indexOf(names, n, UNALLOCATED);
            if (i < 0) {
                i = n++;
                names[i] = UNALLOCATED;
            }
            weights[i] += Math.max(0, 1 - sum);
        }
        if (n < capacity) {
            weights = Arrays.copyOf(weights, n);
        }
        long total = totalMicroUsd(s, price, energyMj, intervalMs);
        long[] cost = Shares.split(total, weights);
        long[] ms = Shares.split(intervalMs, weights);
        long[] energy = s.getSite() == Site.CLOUD ? new long[n] : Shares.split(energyMj, weights);
        UtilPct util = UtilPct.of(s.getUtilGpuPct());
        List<Part> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long busyCost = util.busy(cost[i]);
            out.add(new Part(names[i], teams[i], ms[i], util.busy(ms[i]), cost[i], cost[i] - busyCost, energy[i], samples));
        }
        return out;
    }

    private static int indexOf(String[] names, int n, String name) {
        for (int i = 0; i < n; i++) {
            if (Objects.equals(names[i], name)) {
                return i;
            }
        }
        return -1;
    }

    /** amount x utilPct / 100, rounded half-even to a whole unit. */
    static long busy(long amount, BigDecimal utilPct) {
        return UtilPct.of(utilPct).busy(amount);
    }

    /**
     * A utilization as the collector wrote it (the decimal text of the float, so 33.3 means 33.3, not 33.2999992), as
     * digits / (100 x 10^scale) where that fits a long. Converting a float to its text is the slow part; the last 4,096
     * utilizations seen (by slot) are remembered: immutable entries, so threads sharing the table see each whole.
     */
    private record UtilPct(int floatBits, BigDecimal pct, long digits, long hundredTimesScale) {

        private static final UtilPct ZERO = of(BigDecimal.ZERO);
        private static final int RECENT_BITS = 12;
        private static final UtilPct[] RECENT = new UtilPct[1 << RECENT_BITS];

        static UtilPct of(Float pct) {
            if (pct == null) {
                return ZERO;
            }
            int bits = Float.floatToRawIntBits(pct);
            int slot = (bits * 0x9E3779B9) >>> (32 - RECENT_BITS); // Fibonacci hashing: floats differ in their high bits
            UtilPct u = RECENT[slot];
            if (u == null || u.floatBits() != bits) {
                u = of(new BigDecimal(Float.toString(pct)), bits);
                RECENT[slot] = u;
            }
            return u;
        }

        static UtilPct of(BigDecimal pct) {
            return of(pct, 0);
        }

        private static UtilPct of(BigDecimal pct, int floatBits) {
            // exact in longs where the digits and 100 x 10^scale fit (a float's 9 digits always do)
            int scale = pct.scale();
            if (scale >= 0 && scale <= 16 && pct.precision() <= 18) {
                return new UtilPct(floatBits, pct, pct.unscaledValue().longValueExact(), POW10[scale + 2]);
            }
            return new UtilPct(floatBits, pct, 0, 0);
        }

        long busy(long amount) {
            if (hundredTimesScale > 0 && CostModel.productFits(amount, digits)) {
                return CostModel.divideHalfEven(amount * digits, hundredTimesScale);
            }
            return BigDecimal.valueOf(amount).multiply(pct).divide(BigDecimal.valueOf(100), 0, RoundingMode.HALF_EVEN)
                    .longValueExact();
        }
    }

    private static final long[] POW10 = new long[19];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
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
