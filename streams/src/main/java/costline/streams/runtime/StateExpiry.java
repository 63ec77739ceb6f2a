package costline.streams.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Forgets the entries of a key-value store that have not been active for a retention period: per-workload and per-GPU
 * state would otherwise grow with every name that ever passed (workloads come and go, GPUs are replaced). Each entry
 * says when it was last active ({@code lastActiveMs}, event time); {@link #expire} deletes those older than
 * {@code now - retention} with {@link KeyValueStore#delete}, which writes a tombstone to the store's changelog, so a
 * restore or another instance does not bring them back and compaction removes them from the topic too.
 *
 * <p>The one helper every topology uses for this. A topology calls {@link #expire} from a punctuation with the time
 * its data has reached ({@link #now}: the newest event time the processor has seen, never ahead of the wall clock by
 * more than a slack, so one record stamped in 2100 cannot expire everything). Event time, not stream time: stream
 * time is the newest record timestamp, which a producer sets as it likes (the send time, while the event can be
 * days old in a backfill). The retention is a setting of the application, validated with
 * {@link #requireLonger} to be longer than every window that needs the state: expiry then only forgets what no
 * result can use again, and never a total that was not yet sent.
 */
public final class StateExpiry<V> {

    private java.util.function.Consumer<String> delete;

    /**
     * How far ahead of the wall clock the time used for expiry may be. Stream time is the largest record timestamp
     * seen; a producer with a clock years ahead would otherwise make every entry look expired.
     */
    public static final long FUTURE_SLACK_MS = 3_600_000L;

    private final KeyValueStore<String, V> store;
    private final ToLongFunction<V> lastActiveMs;
    private final long retentionMs;
    private final Sensor expired;

    /**
     * @param expired counts the deleted entries (may be null); see {@link #sensor}
     */
    public StateExpiry(KeyValueStore<String, V> store, ToLongFunction<V> lastActiveMs, Duration retention, Sensor expired) {
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention must be > 0: " + retention);
        }
        this.store = store;
        this.delete = store::delete;
        this.lastActiveMs = lastActiveMs;
        this.retentionMs = retention.toMillis();
        this.expired = expired;
    }

    /** The Streams sensor {@code <group> / <entity> / state-expired-total} a topology's expiries are counted in. */
    public static Sensor sensor(ProcessingContext context, String group, String entity) {
        return context.metrics().addRateTotalSensor(group, entity, "state-expired", Sensor.RecordingLevel.INFO);
    }

    /** The time expiry may use: the newest event time seen, capped at the wall clock + {@link #FUTURE_SLACK_MS}. */
    public static long now(ProcessingContext context, long newestEventMs) {
        long wall = context.currentSystemTimeMs();
        return Math.min(newestEventMs, wall > Long.MAX_VALUE - FUTURE_SLACK_MS ? wall : wall + FUTURE_SLACK_MS);
    }

    /**
     * Expires {@code expiries} on a stream-time punctuation every {@link #step} of {@code retention} (so a replay
     * expires as the live run did), at the newest event time the processor has seen ({@code newestEventMs},
     * {@link Long#MIN_VALUE} while none): an entry then lives at most retention + step after its last activity.
     */
    public static void schedule(ProcessorContext<?, ?> context, Duration retention, LongSupplier newestEventMs,
                                StateExpiry<?>... expiries) {
        context.schedule(step(retention), PunctuationType.STREAM_TIME, streamTime -> {
            long now = now(context, newestEventMs.getAsLong());
            for (StateExpiry<?> e : expiries) {
                e.expire(now);
            }
        });
    }

    /**
     * A tenth of the retention: the scan reads (and decodes) the whole store, so it runs rarely, and an entry lives at
     * most 1.1 x the retention.
     */
    public static Duration step(Duration retention) {
        Duration tenth = retention.dividedBy(10);
        return tenth.isZero() ? Duration.ofMillis(1) : tenth;
    }

    /**
     * Scans after {@code cache} has written what it holds, and deletes through it, for a processor that reads its
     * store through a {@link StateCache}: a copy left in the cache would bring an expired entry back.
     */
    public StateExpiry<V> through(StateCache<V> cache) {
        this.delete = cache::delete;
        this.beforeScan = cache::flush;
        return this;
    }

    /** Writes a write-back cache's held values before the store is scanned. */
    private Runnable beforeScan = () -> {
    };

    /** Deletes the entries last active before {@code nowMs - retention}; returns how many. */
    public int expire(long nowMs) {
        if (nowMs == Long.MIN_VALUE || nowMs < Long.MIN_VALUE + retentionMs) {
            return 0; // no data yet
        }
        long cutoff = nowMs - retentionMs;
        beforeScan.run();
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, V> it = store.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                if (kv.value != null && lastActiveMs.applyAsLong(kv.value) < cutoff) {
                    old.add(kv.key);
                }
            }
        }
        // deleted after the scan: a store may not be modified under an open iterator
        old.forEach(delete);
        if (expired != null && !old.isEmpty()) {
            expired.record(old.size());
        }
        return old.size();
    }

    /**
     * Start-up check of a retention setting: it must be longer than {@code window}, the longest span over which the
     * application still reads an entry after its last activity. The message names the key and the fix.
     */
    public static void requireLonger(String retentionKey, Duration retention, String windowName, Duration window) {
        if (retention == null || retention.compareTo(window) <= 0) {
            throw new costline.streams.config.SettingsException(retentionKey, retention + " is not longer than "
                    + windowName + " (" + window + "): state would be forgotten while it is still needed",
                    "set it to more than " + window + ", e.g. " + window.multipliedBy(2));
        }
    }
}
