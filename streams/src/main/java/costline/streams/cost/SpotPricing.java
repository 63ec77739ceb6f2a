package costline.streams.cost;

import costline.events.GpuSample;
import costline.events.PriceEntry;
import costline.events.Site;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Prices a spot instance's sample at the spot price of its zone: the sample's interval [t - interval, t) is split at
 * every spot price version that takes effect inside it, and each piece is charged at the spot price in force at its
 * start, or at its instance type's rate where no spot price is known yet. The pieces' parts add up per workload, so a
 * sample stays one sample (its GPU time is the whole interval; only the cost reflects the change).
 *
 * <p>This is the one place the cost topology splits a sample; the shared price store that splits every sample at
 * every version's effective_from replaces it (see streams/README-finance.md, "Prices from AWS").
 */
final class SpotPricing {

    private SpotPricing() {
    }

    /** The parts of a cloud sample under {@code spotKey} with {@code fallbackKey} before any spot price; null if unpriced. */
    static List<Part> parts(GpuSample s, String spotKey, String fallbackKey, PriceLookup prices) {
        long end = s.getSampleTime().toEpochMilli();
        long start = end - s.getIntervalMs();
        SortedSet<Long> cuts = new TreeSet<>(prices.changesWithin(spotKey, start, end));
        List<Long> edges = new ArrayList<>();
        edges.add(start);
        edges.addAll(cuts);
        edges.add(end);
        Map<String, Part> sum = new LinkedHashMap<>();
        for (int i = 0; i + 1 < edges.size(); i++) {
            long a = edges.get(i);
            long b = edges.get(i + 1);
            PriceEntry price = prices.at(spotKey, Site.CLOUD, a);
            if (price == null) {
                price = prices.at(fallbackKey, Site.CLOUD, a);
            }
            if (price == null) {
                return null;
            }
            GpuSample piece = GpuSample.newBuilder(s).setSampleTime(java.time.Instant.ofEpochMilli(b)).setIntervalMs(b - a).build();
            for (Part p : CostCalculator.parts(piece, price, 0)) {
                sum.merge(p.workload(), p, Part::plus);
            }
        }
        List<Part> out = new ArrayList<>();
        for (Part p : sum.values()) {
            out.add(new Part(p.workload(), p.team(), p.gpuMs(), p.busyGpuMs(), p.costMicroUsd(), p.idleMicroUsd(), p.energyMj(), 1));
        }
        return out;
    }
}
