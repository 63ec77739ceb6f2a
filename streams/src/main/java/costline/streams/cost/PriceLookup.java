package costline.streams.cost;

import costline.events.PriceEntry;
import costline.events.Site;
import costline.streams.prices.PriceKeys;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The catalog version in force at a time: the entry with the greatest effective_from at or before it.
 *
 * <p>Reading the global store decodes Avro on every access; the versions of each price key are therefore kept
 * here, decoded, and re-read from the store after {@link #refresh()}, which the topology calls at every emit
 * interval. A price loaded into gpu.prices thus reaches the samples within one emit interval.
 */
final class PriceLookup {

    private final KeyValueStore<String, PriceEntry> prices;
    private final java.util.Map<String, java.util.NavigableMap<Long, PriceEntry>> cache = new java.util.HashMap<>();

    PriceLookup(KeyValueStore<String, PriceEntry> prices) {
        this.prices = prices;
    }

    void refresh() {
        cache.clear();
    }

    /** The price for {@code priceKey} at {@code atMs} that fits the site, or null. */
    PriceEntry at(String priceKey, Site site, long atMs) {
        java.util.NavigableMap<Long, PriceEntry> versions = cache.computeIfAbsent(priceKey, this::versions);
        java.util.Map.Entry<Long, PriceEntry> e = versions.floorEntry(atMs);
        if (e == null) {
            return null;
        }
        boolean fits = site == Site.CLOUD ? e.getValue().getCloudPrice() != null : e.getValue().getOnprem() != null;
        return fits ? e.getValue() : null;
    }

    /** Effective times of the versions of {@code priceKey} strictly inside (fromMs, toMs): where a sample is split. */
    java.util.SortedSet<Long> changesWithin(String priceKey, long fromMs, long toMs) {
        if (toMs - fromMs < 2) {
            return java.util.Collections.emptySortedSet();
        }
        return cache.computeIfAbsent(priceKey, this::versions).navigableKeySet().subSet(fromMs, false, toMs, false);
    }

    private java.util.NavigableMap<Long, PriceEntry> versions(String priceKey) {
        java.util.NavigableMap<Long, PriceEntry> out = new java.util.TreeMap<>();
        try (KeyValueIterator<String, PriceEntry> it = prices.range(
                PriceKeys.versionKey(priceKey, 0), PriceKeys.versionKey(priceKey, 999_999_999_999_999L))) {
            while (it.hasNext()) {
                KeyValue<String, PriceEntry> kv = it.next();
                if (kv.value != null) {
                    out.put(kv.value.getEffectiveFrom().toEpochMilli(), kv.value);
                }
            }
        }
        return out;
    }
}
