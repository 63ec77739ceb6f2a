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

    static final String UNALLOCATED = "unallocated";
    /** Shares may miss 1 by this much (float rounding at the collector) before the rest counts as unallocated. */
    static final double SHARE_TOLERANCE = 1e-3;

    private CostCalculator() {
    }

    /** Total cost of the sample's interval, micro-USD. */
    static long totalMicroUsd(GpuSample s, PriceEntry price, long energyMj) {
        if (s.getSite() == Site.CLOUD) {
            return CostModel.cloudCostMicroUsd(price.getCloudPrice(), s.getIntervalMs());
        }
        return CostModel.onPremFixedCostMicroUsd(price.getOnprem(), s.getIntervalMs())
                + CostModel.energyCostMicroUsd(price.getOnprem(), energyMj);
    }

    static List<Part> parts(GpuSample s, PriceEntry price, long energyMj) {
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
        long total = totalMicroUsd(s, price, energyMj);
        long[] cost = Shares.split(total, weights);
        long[] ms = Shares.split(s.getIntervalMs(), weights);
        long[] energy = s.getSite() == Site.CLOUD ? new long[names.length] : Shares.split(energyMj, weights);
        // Utilization as the collector wrote it (decimal text of the float), so 33.3 means 33.3, not 33.2999992.
        BigDecimal util = s.getUtilGpuPct() == null ? BigDecimal.ZERO : new BigDecimal(Float.toString(s.getUtilGpuPct()));
        List<Part> out = new ArrayList<>(names.length);
        for (int i = 0; i < names.length; i++) {
            long busyCost = busy(cost[i], util);
            out.add(new Part(names[i], teams.get(names[i]), ms[i], busy(ms[i], util), cost[i], cost[i] - busyCost, energy[i], 1));
        }
        return out;
    }

    private static long busy(long amount, BigDecimal utilPct) {
        return BigDecimal.valueOf(amount).multiply(utilPct).divide(BigDecimal.valueOf(100), 0, RoundingMode.HALF_EVEN)
                .longValueExact();
    }

    /** The minute a sample is booked to: the one holding its last millisecond. */
    static long windowStart(long sampleTimeMs) {
        return Math.floorDiv(sampleTimeMs - 1, 60_000L) * 60_000L;
    }
}
