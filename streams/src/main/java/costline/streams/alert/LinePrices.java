package costline.streams.alert;

import costline.events.PriceEntry;
import costline.streams.finance.OnPremCatalog;
import costline.streams.prices.PriceBook;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The on-prem side of the alert's line, per cloud GPU model, computed once per what it depends on and reused record
 * after record: the on-prem version in force (see {@link PriceBook#onPremFor}, cached per span between versions), one
 * owned GPU's fixed cost over a month (per model and month, until the catalog's generation changes) and the board
 * power (per model: the catalog is fixed for the processor's life). Recomputing them for every CostRecord (the
 * family regex, a scan of the on-prem keys, the month's version walk) was most of the alert thread's time.
 */
final class LinePrices {

    private final PriceBook prices;
    private final OnPremCatalog catalog;
    private final Map<String, Double> watts = new HashMap<>();
    private final Map<String, FixedMonth> fixed = new HashMap<>();

    /** A model's fixed cost per owned GPU over [startMs, endMs), valid while the price generation is {@code generation}. */
    private record FixedMonth(long startMs, long endMs, long generation, long microUsd) {
    }

    LinePrices(PriceBook prices, OnPremCatalog catalog) {
        this.prices = prices;
        this.catalog = catalog;
    }

    /** The on-prem version standing for {@code cloudModel} in force at {@code atMs}: never one that starts later. */
    Optional<PriceEntry> onPremAt(String cloudModel, long atMs) {
        return prices.onPremFor(catalog, cloudModel, atMs);
    }

    /** Watts a GPU like {@code cloudModel} draws while busy. */
    double boardPowerW(String cloudModel) {
        return watts.computeIfAbsent(cloudModel, catalog::boardPowerW);
    }

    /** One owned GPU's fixed cost over [monthStartMs, monthEndMs), each span at the version in force for it. */
    long fixedOverMonth(String cloudModel, long monthStartMs, long monthEndMs) {
        long generation = prices.generation();
        FixedMonth f = fixed.get(cloudModel);
        if (f == null || f.startMs() != monthStartMs || f.endMs() != monthEndMs || f.generation() != generation) {
            long v = OnPremLine.fixedOverMonth(cloudModel, monthStartMs, monthEndMs, this::onPremAt,
                    (priceKey, at) -> prices.versions(priceKey).higherKey(at));
            f = new FixedMonth(monthStartMs, monthEndMs, generation, v);
            fixed.put(cloudModel, f);
        }
        return f.microUsd();
    }
}
