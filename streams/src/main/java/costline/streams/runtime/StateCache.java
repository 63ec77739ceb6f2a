package costline.streams.runtime;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A processor's decoded view of its own key-value store: the last values it read or wrote, kept as objects, so that a
 * key updated by record after record (a GPU's detectors, a scope's month) is decoded from the store once, not once
 * per record. Writes go through to the store at once (the store and its changelog stay the truth, committed with the
 * output under exactly-once); only reads are served from here.
 *
 * <p>Valid while this processor is the store's only writer. {@link #clear()} in the processor's {@code init}: Streams
 * calls it again when a task is revived after an aborted transaction, whose store is restored from the changelog.
 * Least recently used entries beyond {@code maxEntries} are dropped (read from the store again when needed).
 */
public final class StateCache<V> {

    private final KeyValueStore<String, V> store;
    private final Map<String, V> recent;

    public StateCache(KeyValueStore<String, V> store, int maxEntries) {
        this.store = store;
        this.recent = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > maxEntries;
            }
        };
    }

    public V get(String key) {
        V v = recent.get(key);
        if (v == null) {
            v = store.get(key);
            if (v != null) {
                recent.put(key, v);
            }
        }
        return v;
    }

    public void put(String key, V value) {
        store.put(key, value);
        recent.put(key, value);
    }

    public void delete(String key) {
        store.delete(key);
        recent.remove(key);
    }

    public void clear() {
        recent.clear();
    }
}
