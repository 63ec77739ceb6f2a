package costline.streams.finance;

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
            if (record.value() == null) {
                store.delete(record.key());
            } else {
                store.put(record.key(), record.value());
            }
        }
    }
}
