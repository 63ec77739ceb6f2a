package costline.streams.cost;

import costline.events.PriceEntry;
import costline.events.Site;
import costline.streams.prices.PriceKeys;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/** The catalog version in force at a time: the entry with the greatest effective_from at or before it. */
final class PriceLookup {

    private final KeyValueStore<String, PriceEntry> prices;

    PriceLookup(KeyValueStore<String, PriceEntry> prices) {
        this.prices = prices;
    }

    /** The price for {@code priceKey} at {@code atMs} that fits the site, or null. */
    PriceEntry at(String priceKey, Site site, long atMs) {
        try (KeyValueIterator<String, PriceEntry> it = prices.reverseRange(
                PriceKeys.versionKey(priceKey, 0), PriceKeys.versionKey(priceKey, Math.max(0, atMs)))) {
            while (it.hasNext()) {
                KeyValue<String, PriceEntry> kv = it.next();
                PriceEntry e = kv.value;
                if (e == null) {
                    continue;
                }
                boolean fits = site == Site.CLOUD ? e.getCloudPrice() != null : e.getOnprem() != null;
                return fits ? e : null;
            }
            return null;
        }
    }
}
