package costline.streams.runtime;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A task's "before commit" signal: a state store that holds nothing and, when Streams flushes the task's caches before
 * it commits (exactly-once: before the transaction with the output, the changelogs and the consumed offsets is
 * committed), runs what the task's processors registered ({@link #beforeCommit}). The processors' write-back
 * {@link StateCache}s register their flush here, so a key updated by many records between two commits is encoded and
 * written to its store (and changelog) once per commit, inside the same transaction as the records that changed it.
 *
 * <p>Streams offers processors no commit callback; the one it calls before every commit (regular, requested, on
 * revocation and on a clean close) is {@code flushCache} of each store that has a cache, which is how its own record
 * caches reach their changelogs in time. Hence {@link CachedStateStore}, an interface of Streams' internals: this class is
 * tied to the Kafka Streams version in the build (4.1), and {@code CommitHookTest} checks the behaviour on a real broker.
 * The stores written from the hook must not have a record cache of their own (see {@link StateCache}): a cache flushed
 * before the hook ran would keep those writes out of this commit.
 *
 * <p>The hook is not logged and keeps no data: a task that is revived re-initialises it (forgetting the registrations)
 * and its processors, which register again.
 */
public final class CommitHook implements StateStore, CachedStateStore<Object, Object> {

    private final String name;
    private final Map<String, Runnable> beforeCommit = new LinkedHashMap<>();
    /** Objects the task's processors share (one write-back cache per store, whichever processor asks first). */
    private final Map<String, Object> shared = new java.util.HashMap<>();
    private boolean open;

    private CommitHook(String name) {
        this.name = name;
    }

    /** The hook of a topology: add it with {@code builder.addStateStore(CommitHook.store(name))} and connect it to processors. */
    public static StoreBuilder<CommitHook> store(String name) {
        return new Builder(name);
    }

    /** Runs {@code action} before every commit of this task, in registration order; a second registration under {@code id} replaces the first. */
    public void beforeCommit(String id, Runnable action) {
        beforeCommit.put(id, action);
    }

    /**
     * The object registered under {@code id} in this task, created by {@code create} on first use: how two processors
     * of one task that write the same store share its {@link StateCache} (a store has one writer). Forgotten when the
     * hook is re-initialised, as the registrations are.
     */
    @SuppressWarnings("unchecked")
    public <T> T shared(String id, java.util.function.Supplier<T> create) {
        Object o = shared.get(id);
        if (o == null) {
            o = create.get(); // may itself ask for a shared object (not computeIfAbsent: it refuses nesting)
            shared.put(id, o);
        }
        return (T) o;
    }

    @Override
    public void flushCache() {
        for (Runnable r : beforeCommit.values()) {
            r.run();
        }
    }

    @Override
    public void clearCache() {
        // nothing kept
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<Object, Object> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        beforeCommit.clear();
        shared.clear();
        context.register(root, (key, value) -> {
        });
        open = true;
    }

    @Override
    public void flush() {
        // StateStore.flush runs after the commit (checkpoints): too late for the processors' writes
    }

    @Override
    public void close() {
        beforeCommit.clear();
        shared.clear();
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    private static final class Builder implements StoreBuilder<CommitHook> {
        private final String name;

        Builder(String name) {
            this.name = name;
        }

        @Override
        public StoreBuilder<CommitHook> withCachingEnabled() {
            return this;
        }

        @Override
        public StoreBuilder<CommitHook> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<CommitHook> withLoggingEnabled(Map<String, String> config) {
            throw new UnsupportedOperationException("the commit hook keeps no data to log");
        }

        @Override
        public StoreBuilder<CommitHook> withLoggingDisabled() {
            return this;
        }

        @Override
        public CommitHook build() {
            return new CommitHook(name);
        }

        @Override
        public Map<String, String> logConfig() {
            return Map.of();
        }

        @Override
        public boolean loggingEnabled() {
            return false;
        }

        @Override
        public String name() {
            return name;
        }
    }
}
