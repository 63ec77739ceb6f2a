package costline.streams.breakeven;

import costline.streams.runtime.CommitHook;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The demand minutes added since the last commit, summed in memory and added to the window store once per (scope,
 * minute) before the commit, by the task's {@link CommitHook}. The fleet's minute gets one record per workload and the
 * workload's minute one per GPU: reading, decoding, encoding and logging the minute for every record was most of the
 * break-even thread's work. The sums join the same transaction as the records that made them (the hook runs before
 * Streams commits), so exactly-once holds; the processor aborts the task on a failing record (FailedRecords), which
 * discards what is pending here with it. The processor calls {@link #flush} before it reads the store.
 *
 * <p>The store keeps the result the processor would have written record by record: each minute is the sum of its
 * shares, and a minute put after the store's retention is dropped in both cases (and would never be read: it lies
 * before every demand window).
 */
final class PendingDemand {

    private final WindowStore<String, MinuteUsage> store;
    /** (scope key, minute) -> GPU-ms and micro-USD added, in first-added order. */
    private final Map<Cell, long[]> added = new LinkedHashMap<>();

    private record Cell(String key, long minuteMs) {
    }

    private PendingDemand(WindowStore<String, MinuteUsage> store) {
        this.store = store;
    }

    /** Over {@code store}, written before each commit by the task's hook {@code hookName}. Call from the processor's init. */
    static PendingDemand writeBack(ProcessingContext context, WindowStore<String, MinuteUsage> store, String hookName) {
        PendingDemand p = new PendingDemand(store);
        CommitHook hook = context.getStateStore(hookName);
        hook.beforeCommit(store.name(), p::flush);
        return p;
    }

    void add(String key, long minuteMs, long gpuMs, long costMicroUsd) {
        long[] sum = added.computeIfAbsent(new Cell(key, minuteMs), c -> new long[2]);
        sum[0] = Math.addExact(sum[0], gpuMs);
        sum[1] = Math.addExact(sum[1], costMicroUsd);
    }

    /** Adds what is pending to the store. */
    void flush() {
        if (added.isEmpty()) {
            return;
        }
        for (Map.Entry<Cell, long[]> e : added.entrySet()) {
            Cell c = e.getKey();
            MinuteUsage old = store.fetch(c.key(), c.minuteMs());
            store.put(c.key(), (old == null ? new MinuteUsage(0, 0) : old).plus(e.getValue()[0], e.getValue()[1]), c.minuteMs());
        }
        added.clear();
    }

    /** (scope, minute) cells not yet in the store. */
    int pending() {
        return added.size();
    }
}
