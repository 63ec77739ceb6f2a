package costline.streams.alert;

import costline.events.OnPremPrice;
import costline.events.PriceEntry;
import costline.pricing.CostModel;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Cloud month-to-date spend against the on-prem line for one scope and month.
 *
 * <p>The line is what owning the capacity used in the cloud would cost for the whole calendar month: for each
 * cloud GPU model, peak concurrent GPUs x the fixed cost of an owned GPU over the month's real length (28 to 31
 * days, not the 730-hour average) + electricity for the busy GPU-hours so far (board power x PUE x price). Models
 * without an on-prem equivalent in the catalog are left out of both sides, so the comparison stays like for like.
 *
 * <p>Prices at event time: the fixed part sums, over the month, each on-prem version's fixed cost for the span it is
 * in force (a mid-month price change reprices only the rest of the month, and a version effective next year changes
 * nothing today); the energy part is priced at the version in force at the latest data.
 *
 * <p>The projection runs the last 24 hours' rates forward from the latest data: cloud spend grows at its rate, the
 * line's energy part at the busy hours' rate, the fixed part not at all, so they meet
 * {@code (line - cloud) / (cloud rate - energy rate)} later. A trailing day, not the month-to-date average, because
 * GPU demand follows the day: a job that runs four hours every morning would otherwise look, each morning, like one
 * that runs around the clock.
 */
public record OnPremLine(long cloudMtdMicroUsd, long lineMicroUsd, long fixedMicroUsd, long energyMicroUsd,
                         long unpricedCloudMicroUsd, long projectedMonthMicroUsd, Long projectedCrossMs) {

    /** The trailing span whose rates are projected. */
    public static final long RUN_RATE_WINDOW_MS = 24 * 3_600_000L;

    static OnPremLine of(ScopeMonth s, long monthStartMs, long monthEndMs, LinePrices prices) {
        long cloud = 0;
        long fixed = 0;
        long energy = 0;
        long unpriced = 0;
        long now = Math.min(s.latestMs, monthEndMs);
        long from = now - RUN_RATE_WINDOW_MS;
        long recentCloud = 0;
        long recentEnergy = 0;
        for (Map.Entry<String, ScopeMonth.ModelUsage> e : s.models.entrySet()) {
            ScopeMonth.ModelUsage u = e.getValue();
            Optional<PriceEntry> price = prices.onPremAt(e.getKey(), now);
            if (price.isEmpty()) {
                unpriced += u.costMicroUsd;
                continue;
            }
            OnPremPrice p = price.get().getOnprem();
            cloud += u.costMicroUsd;
            fixed += u.peakGpus * prices.fixedOverMonth(e.getKey(), monthStartMs, monthEndMs);
            double watts = prices.boardPowerW(e.getKey());
            energy += CostModel.energyCostMicroUsd(p, CostModel.energyMjFromPower(watts, u.busyGpuMs));
            recentCloud += sumFrom(u.hourlyCost, from);
            long recentBusy = sumFrom(u.hourlyBusyMs, from);
            recentEnergy += CostModel.energyCostMicroUsd(p, CostModel.energyMjFromPower(watts, recentBusy));
        }
        // rates per ms over the trailing day, or over the month so far while it is shorter than a day
        long span = Math.max(1, Math.min(RUN_RATE_WINDOW_MS, now - monthStartMs));
        double cloudRate = (double) recentCloud / span;
        double energyRate = (double) recentEnergy / span;
        long projected = cloud + Math.round(cloudRate * (monthEndMs - now));
        Long cross = null;
        long line = fixed + energy;
        if (cloud < line && cloudRate > energyRate) {
            double t = (line - cloud) / (cloudRate - energyRate);
            if (now + t < monthEndMs) {
                cross = now + (long) Math.ceil(t);
            }
        }
        return new OnPremLine(cloud, line, fixed, energy, unpriced, projected, cross);
    }

    private static long sumFrom(java.util.NavigableMap<Long, Long> hourly, long fromMs) {
        long sum = 0;
        for (long v : hourly.tailMap(fromMs, true).values()) {
            sum += v;
        }
        return sum;
    }

    /** One owned GPU's fixed cost over the month, each span at the version in force for it (none before the first). */
    static long fixedOverMonth(String cloudModel, long fromMs, long toMs, BiFunction<String, Long, Optional<PriceEntry>> priceAt,
                               BiFunction<String, Long, Long> nextVersionAfter) {
        long total = 0;
        long cur = fromMs;
        while (cur < toMs) {
            Optional<PriceEntry> p = priceAt.apply(cloudModel, cur);
            Long next = p.isPresent() ? nextVersionAfter.apply(p.get().getPriceKey(), cur) : null;
            long end = next == null ? toMs : Math.min(toMs, next);
            if (p.isPresent()) {
                total += CostModel.onPremFixedCostMicroUsd(p.get().getOnprem(), end - cur);
            } else if (next == null) {
                // no version yet at cur: find the first one inside the month, if any, by asking at the month's end
                Optional<PriceEntry> later = priceAt.apply(cloudModel, toMs - 1);
                if (later.isEmpty()) {
                    break;
                }
                long first = later.get().getEffectiveFrom().toEpochMilli();
                if (first <= cur) {
                    break;
                }
                end = first;
            }
            cur = end;
        }
        return total;
    }

    public boolean crossed() {
        return lineMicroUsd > 0 && cloudMtdMicroUsd >= lineMicroUsd;
    }
}
