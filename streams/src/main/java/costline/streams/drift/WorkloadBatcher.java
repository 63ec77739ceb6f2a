package costline.streams.drift;

import costline.streams.runtime.FailedRecords;
import costline.streams.runtime.StateCache;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Gathers the GPU side's workload inputs (shares of samples, cost records; key = workload) into one
 * {@link WorkloadBatch} per workload, forwarded to the repartition topic every {@code drift.workload-send-interval}
 * (wall clock) or as soon as it reaches {@link WorkloadBatching#maxBytes()}. Cost records ride in the batches too, so
 * each workload's inputs keep the order this task read them in, and the workload side computes exactly what it did
 * from one record per input.
 *
 * <p>Exactly-once: the inputs held between sends are state ({@link #STORE}, changelogged), written back before each
 * commit through the GPU side's commit hook, so they commit with the input offsets that brought them. A task that
 * stops after a commit sends them once restored; a send and its deletes that never commit are re-done from the
 * committed state. Sends happen in process or a punctuation, never in the commit's flush (Streams cannot forward there).
 */
final class WorkloadBatcher extends ContextualProcessor<String, WorkloadInput, String, WorkloadBatch> {

    static final String STORE = "drift-workload-pending";

    private final WorkloadBatching batching;
    private KeyValueStore<String, WorkloadBatch> store;
    private StateCache<WorkloadBatch> held;
    /** Workloads with a held batch, in first-held order; null until read from the store (the state as restored). */
    private Set<String> pending;

    WorkloadBatcher(WorkloadBatching batching) {
        this.batching = batching;
    }

    @Override
    public void init(ProcessorContext<String, WorkloadBatch> context) {
        super.init(context);
        store = context.getStateStore(STORE);
        held = StateCache.writeBack(context, STORE, GpuDriftProcessor.COMMIT_HOOK, 10_000);
        pending = null; // a revived task: what was held beyond the last commit is gone with the old memory
        context.schedule(batching.sendInterval(), PunctuationType.WALL_CLOCK_TIME, this::sendAll);
    }

    @Override
    public void process(Record<String, WorkloadInput> record) {
        FailedRecords.refuseIfFailedBefore(context());
        try {
            hold(record);
        } catch (RuntimeException e) {
            // the held batches may be half-updated: the task starts again from its last commit (FailedRecords)
            throw FailedRecords.abortTask(context(), e);
        }
    }

    private void hold(Record<String, WorkloadInput> record) {
        String workload = record.key();
        if (workload == null || record.value() == null) {
            return; // the workload side skipped these too
        }
        Set<String> keys = pending();
        WorkloadBatch batch = held.get(workload);
        if (batch == null) {
            batch = new WorkloadBatch();
        }
        batch.add(record.value());
        if (batch.bytes() >= batching.maxBytes()) {
            send(workload, batch, record.timestamp());
            keys.remove(workload);
        } else {
            held.put(workload, batch);
            keys.add(workload);
        }
    }

    private void sendAll(long wallClockMs) {
        Set<String> keys = pending();
        if (keys.isEmpty()) {
            return;
        }
        // the newest input time of the task (the records' own times); before any input since a restart, the clock
        long streamTime = context().currentStreamTimeMs();
        long now = streamTime >= 0 ? streamTime : wallClockMs;
        for (String workload : keys) {
            WorkloadBatch batch = held.get(workload);
            if (batch != null) {
                send(workload, batch, now);
            }
        }
        keys.clear();
    }

    private void send(String workload, WorkloadBatch batch, long timestamp) {
        context().forward(new Record<>(workload, batch, timestamp));
        held.delete(workload);
    }

    /** The held workloads; at the task's first record or punctuation, those of the restored store. */
    private Set<String> pending() {
        if (pending == null) {
            pending = new LinkedHashSet<>();
            held.flush();
            try (KeyValueIterator<String, WorkloadBatch> it = store.all()) {
                it.forEachRemaining(kv -> pending.add(kv.key));
            }
        }
        return pending;
    }
}
