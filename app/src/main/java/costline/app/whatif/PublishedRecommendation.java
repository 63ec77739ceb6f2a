package costline.app.whatif;

import costline.events.BreakEvenRecommendation;
import costline.events.PriceEntry;
import costline.events.Site;
import costline.streams.breakeven.BreakEvenCalculator;
import costline.streams.breakeven.BreakEvenResult;
import costline.streams.breakeven.DemandCurve;
import costline.streams.breakeven.OwnershipCost;
import costline.streams.finance.OnPremCatalog;
import costline.streams.prices.PriceCatalog;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The plans behind a published recommendation (gpu.breakeven), recomputed by the what-if calculator so that its
 * chart can be drawn: the demand curve is rebuilt from the published load-duration curve f(k), which is all that N*
 * and the plans depend on; the on-prem side is the default catalog's equivalent of the recommendation's GPU model.
 */
public final class PublishedRecommendation {

    /** Slots of the demand curve rebuilt from a recommendation's load-duration curve. */
    private static final int CURVE_SLOTS = 10_000;

    /** The recomputed result and the chart's horizon (the owned server's amortization period), months. */
    public record Replay(BreakEvenResult result, int horizonMonths) {
    }

    private PublishedRecommendation() {
    }

    /** Empty when the recommendation has no demand (peak 0) or its model has no on-prem equivalent in the catalog. */
    public static Optional<Replay> replay(BreakEvenRecommendation r) {
        if (r.getPeakGpus() <= 0 || r.getLoadDuration().isEmpty()) {
            return Optional.empty();
        }
        Optional<PriceEntry> onPrem = onPremFor(r.getGpuModel());
        if (onPrem.isEmpty()) {
            return Optional.empty();
        }
        OwnershipCost owning = OwnershipCost.of(onPrem.get().getOnprem(), OnPremCatalog.defaults().boardPowerW(r.getGpuModel()));
        BreakEvenResult result = BreakEvenCalculator.compute(demandFrom(r.getLoadDuration()), r.getCloudMicroUsdPerGpuHour(), owning);
        return Optional.of(new Replay(result, onPrem.get().getOnprem().getAmortizationMonths()));
    }

    /** A demand curve whose load-duration curve is {@code f}: slot i needs every k with f(k) > i / slots. */
    static DemandCurve demandFrom(List<Double> f) {
        int[] gpus = new int[CURVE_SLOTS];
        for (int i = 0; i < CURVE_SLOTS; i++) {
            int k = 0;
            while (k < f.size() && f.get(k) * CURVE_SLOTS > i) {
                k++;
            }
            gpus[i] = k;
        }
        return DemandCurve.ofGpus(60_000, gpus);
    }

    /** The catalog's stand-in for owning a GPU like {@code cloudModel}, by the topologies' own rule. */
    private static Optional<PriceEntry> onPremFor(String cloudModel) {
        // The newest version of each on-prem price, by price key, as the topologies' price store keeps it.
        Map<String, PriceEntry> latest = new HashMap<>();
        for (PriceEntry p : PriceCatalog.readDefault()) {
            if (p.getSite() == Site.ONPREM) {
                latest.merge(p.getPriceKey(), p, (a, b) -> b.getEffectiveFrom().isBefore(a.getEffectiveFrom()) ? a : b);
            }
        }
        return OnPremCatalog.defaults().resolve(cloudModel, latest::get, () -> List.copyOf(latest.values()));
    }
}
