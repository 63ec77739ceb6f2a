package costline.streams.finance;

import costline.streams.prices.PriceKeys;
import costline.events.PriceEntry;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The price catalog (compacted gpu.prices) as a global store on every instance: a price applies to every
 * workload, whatever partition it lands on. Latest entry per price key; a tombstone removes the key.
 */
public final class PriceStore {

    private PriceStore() {
    }

    public static void addTo(StreamsBuilder builder, String storeName, String topic, Serde<PriceEntry> serde) {
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(storeName), Serdes.String(), serde)
                        .withLoggingDisabled(),
                topic,
                Consumed.with(Serdes.String(), serde).withName(storeName + "-source"),
                () -> new Updater(storeName));
    }

    private static final class Updater implements Processor<String, PriceEntry, Void, Void> {
        private final String storeName;
        private KeyValueStore<String, PriceEntry> store;

        Updater(String storeName) {
            this.storeName = storeName;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(storeName);
        }

        @Override
        public void process(Record<String, PriceEntry> record) {
            if (record.key() == null) {
                return; // a compacted topic without a key cannot be looked up; the catalog loader never writes one
            }
            // gpu.prices holds one record per price version, keyed <price key>@<effective_from>: the store keeps
            // the newest version of each price key, looked up by the plain price key.
            if (record.value() == null) {
                int at = record.key().lastIndexOf('@');
                String priceKey = at < 0 ? record.key() : record.key().substring(0, at);
                PriceEntry stored = store.get(priceKey);
                if (stored != null && (at < 0 || PriceKeys.topicKey(stored).equals(record.key()))) {
                    store.delete(priceKey);
                }
                return;
            }
            PriceEntry stored = store.get(record.value().getPriceKey());
            if (stored == null || !record.value().getEffectiveFrom().isBefore(stored.getEffectiveFrom())) {
                store.put(record.value().getPriceKey(), record.value());
            }
        }
    }
}
