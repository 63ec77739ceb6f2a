package costline.streams.runtime;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A processor's write-back view of its own key-value store: values are kept decoded, reads are served from memory, and
 * writes are held and written to the store (and so its changelog) once per commit, by the task's {@link CommitHook}.
 * A key that record after record updates (a GPU's detectors, a scope's month, a month's rollup) is decoded once and
 * encoded once per commit instead of once per record: encoding the state on every record was most of the drift and
 * alert threads' time.
 *
 * <p>Exactly-once holds: the hook runs before Streams commits, so the writes join the transaction of the records that
 * caused them. Rules for a processor:
 * <ul>
 *   <li>it is the store's only writer, and the store has no Streams record cache ({@code withCachingEnabled}): a cache
 *       flushed before the hook ran would keep the writes out of the commit (checked here);</li>
 *   <li>it {@link #put}s a value it changed (as with a store); values held here are the processor's working copies;</li>
 *   <li>before it scans the store ({@code all}, {@code range}, {@code prefixScan}) it calls {@link #flush};</li>
 *   <li>a record whose processing throws must not leave its half-done changes to be committed: the processor passes
 *       the failure to {@link FailedRecords#abortTask}, which discards this memory with the task.</li>
 * </ul>
 * Held writes beyond {@code maxEntries} are written at once; least recently used clean values beyond it are dropped
 * (read from the store again when needed).
 */
public final class StateCache<V> {

    private final KeyValueStore<String, V> store;
    private final int maxEntries;
    /** Decoded values, clean and held (least recently used first). */
    private final Map<String, V> recent;
    /** Writes not yet in the store: key -> value, or null for a delete. */
    private final Map<String, V> held = new HashMap<>();

    private StateCache(KeyValueStore<String, V> store, int maxEntries) {
        requireNoRecordCache(store);
        this.store = store;
        this.maxEntries = maxEntries;
        this.recent = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > maxEntries;
            }
        };
    }

    /**
     * The write-back view of store {@code storeName}, flushed before each commit by the task's hook {@code hookName}
     * (both connected to the processor). Call from the processor's {@code init}: a revived task gets a new view; the processors of one task that name the same store share one view.
     */
    public static <V> StateCache<V> writeBack(ProcessingContext context, String storeName, String hookName, int maxEntries) {
        KeyValueStore<String, V> store = context.getStateStore(storeName);
        CommitHook hook = context.getStateStore(hookName);
        // processors of one task that write the same store share one view (the store keeps one writer)
        return hook.shared(StateCache.class.getName() + ":" + storeName, () -> {
            StateCache<V> cache = new StateCache<>(store, maxEntries);
            hook.beforeCommit(storeName, cache::flush);
            return cache;
        });
    }

    public V get(String key) {
        if (held.containsKey(key)) {
            return held.get(key);
        }
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
        if (value == null) {
            delete(key);
            return;
        }
        held.put(key, value);
        recent.put(key, value);
        flushIfFull();
    }

    public void delete(String key) {
        held.put(key, null);
        recent.remove(key);
        flushIfFull();
    }

    /** Writes the held values and deletes to the store (the hook calls this before each commit). */
    public void flush() {
        if (held.isEmpty()) {
            return;
        }
        for (Map.Entry<String, V> e : held.entrySet()) {
            if (e.getValue() == null) {
                store.delete(e.getKey());
            } else {
                store.put(e.getKey(), e.getValue());
            }
        }
        held.clear();
    }

    /** Writes not yet in the store. */
    public int held() {
        return held.size();
    }

    private void flushIfFull() {
        if (held.size() > maxEntries) {
            flush();
        }
    }

    /** A Streams record cache under this one would be flushed before or after the hook, in the order stores were registered. */
    private static void requireNoRecordCache(StateStore store) {
        for (StateStore s = store; s != null; s = s instanceof WrappedStateStore<?, ?, ?> w ? w.wrapped() : null) {
            if (s.getClass().getSimpleName().startsWith("Caching")) {
                throw new IllegalStateException("store " + store.name() + " has a record cache (withCachingEnabled): a "
                        + "write-back StateCache needs the store without one");
            }
        }
    }
}
