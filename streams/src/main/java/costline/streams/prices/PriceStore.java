package costline.streams.prices;

import costline.events.PriceEntry;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistry;
import costline.schemas.serde.AvroDeserializer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one versioned price store: gpu.prices as a global store on every instance of every topology that prices
 * something (a price applies to every workload, whatever partition it lands on). Every version is kept under its
 * topic key {@code <price key>@<effective_from>}; {@link PriceBook} reads "the version in force at t" from it.
 *
 * <p>Values are kept as the topic's raw bytes and decoded here once to be checked: a record that does not decode or
 * that {@link PriceRules} refuses is not stored (the version it would replace stays in force) but kept under
 * {@link #REJECTED_PREFIX} with its reason, for the cost topology to dead-letter to {@link Topics#GPU_PRICES_DLQ}
 * (a global store's processor cannot produce records). Nothing here throws on bad data, so the global thread,
 * and with it every task, never stops on a price record.
 */
public final class PriceStore {

    /** Keys of refused records: {@code ~rejected:<topic key>}; '~' sorts after every price key. */
    public static final String REJECTED_PREFIX = "~rejected:";
    /** Key of a counter bumped on every change, so readers know when their decoded cache is stale. */
    static final String GENERATION = "~generation";
    private static final Logger LOG = LoggerFactory.getLogger(PriceStore.class);

    private PriceStore() {
    }

    /** Adds the global store {@code storeName}, fed by gpu.prices, to {@code builder}. */
    public static void addTo(StreamsBuilder builder, String storeName, SchemaRegistry registry) {
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(storeName), Serdes.String(), Serdes.ByteArray())
                        .withLoggingDisabled(),
                Topics.GPU_PRICES,
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(storeName + "-source"),
                () -> new Updater(storeName, registry));
    }

    /** A refused record: its topic key, its original bytes and why. */
    public record Rejected(String topicKey, byte[] value, String reason, String detail) {

        static byte[] encode(byte[] value, String reason, String detail) {
            byte[] r = reason.getBytes(StandardCharsets.UTF_8);
            byte[] d = detail.getBytes(StandardCharsets.UTF_8);
            byte[] v = value == null ? new byte[0] : value;
            return ByteBuffer.allocate(8 + r.length + d.length + v.length).putInt(r.length).put(r).putInt(d.length).put(d)
                    .put(v).array();
        }

        public static Rejected decode(String storeKey, byte[] bytes) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            byte[] r = new byte[b.getInt()];
            b.get(r);
            byte[] d = new byte[b.getInt()];
            b.get(d);
            byte[] v = new byte[b.remaining()];
            b.get(v);
            return new Rejected(storeKey.substring(REJECTED_PREFIX.length()), v, new String(r, StandardCharsets.UTF_8),
                    new String(d, StandardCharsets.UTF_8));
        }
    }

    private static final class Updater implements Processor<String, byte[], Void, Void> {
        private final String storeName;
        private final AvroDeserializer<PriceEntry> decoder;
        private KeyValueStore<String, byte[]> store;

        Updater(String storeName, SchemaRegistry registry) {
            this.storeName = storeName;
            this.decoder = new AvroDeserializer<>(registry, PriceEntry.class);
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(storeName);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            String key = record.key();
            if (key == null) {
                reject("null-key@" + record.timestamp(), record.value(), "NO_KEY", "a gpu.prices record without a key");
                return;
            }
            if (record.value() == null) {
                store.delete(key); // a tombstone withdraws that version; the one before it is in force again
                store.delete(REJECTED_PREFIX + key);
                bump();
                return;
            }
            PriceEntry entry;
            try {
                entry = decoder.deserialize(Topics.GPU_PRICES, record.value());
            } catch (RuntimeException e) {
                // a registry outage would also land here; the version is kept as rejected, and a re-publish fixes it
                reject(key, record.value(), "CORRUPT_BODY", String.valueOf(e.getMessage()));
                return;
            }
            PriceRules.Problem problem = entry == null ? new PriceRules.Problem("CORRUPT_BODY", "empty value")
                    : PriceRules.check(key, entry);
            if (problem != null) {
                reject(key, record.value(), problem.reason(), problem.detail());
                return;
            }
            store.put(key, record.value());
            store.delete(REJECTED_PREFIX + key);
            bump();
        }

        private void reject(String key, byte[] value, String reason, String detail) {
            LOG.warn("gpu.prices record {} refused ({}: {}); the version before it stays in force", key, reason, detail);
            store.put(REJECTED_PREFIX + key, Rejected.encode(value, reason, detail));
            bump();
        }

        private void bump() {
            byte[] g = store.get(GENERATION);
            long next = g == null ? 1 : ByteBuffer.wrap(g).getLong() + 1;
            store.put(GENERATION, ByteBuffer.allocate(8).putLong(next).array());
        }
    }
}
