package costline.streams.drift;

import java.util.ArrayList;
import java.util.List;

/**
 * One workload's inputs (its shares of samples and its cost records) in the order one task of the GPU side read them:
 * the value of a {@code drift-workload-input} record, and of a {@code drift-workload-pending} entry while it is held.
 * One record per workload and send instead of one per share keeps the repartition topic's records, and their cost to
 * the producer, the broker and the reading thread, per send rather than per sample; the workload side processes the
 * inputs one by one in this order, exactly as it processed single records.
 */
final class WorkloadBatch {

    private final List<WorkloadInput> inputs;
    /** An upper bound of the encoded size (see {@link #bound}): what {@link WorkloadBatcher}'s cap compares. */
    private int bytes;

    WorkloadBatch() {
        this(new ArrayList<>());
    }

    /** Takes {@code inputs} as they are (it keeps the list). */
    WorkloadBatch(List<WorkloadInput> inputs) {
        this.inputs = inputs;
        for (WorkloadInput i : inputs) {
            bytes += bound(i);
        }
    }

    static WorkloadBatch of(WorkloadInput input) {
        WorkloadBatch b = new WorkloadBatch();
        b.add(input);
        return b;
    }

    void add(WorkloadInput input) {
        inputs.add(input);
        bytes += bound(input);
    }

    List<WorkloadInput> inputs() {
        return inputs;
    }

    int bytes() {
        return bytes;
    }

    /**
     * At least the bytes {@link DriftCodec} writes for {@code input}: its fixed fields, and each name as a length and at
     * most 3 UTF-8 bytes per char (a surrogate pair is 2 chars, 4 bytes).
     */
    static int bound(WorkloadInput input) {
        if (input.observation() != null) {
            WorkloadInput.Observation o = input.observation();
            return 34 + name(o.gpuId()) + name(o.site()) + name(o.gpuModel());
        }
        if (input.cost() != null) {
            return 33 + name(input.cost().site()) + name(input.cost().gpuModel());
        }
        return 1;
    }

    private static int name(String s) {
        return 4 + (s == null ? 0 : 3 * s.length());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorkloadBatch b && inputs.equals(b.inputs);
    }

    @Override
    public int hashCode() {
        return inputs.hashCode();
    }

    @Override
    public String toString() {
        return "WorkloadBatch" + inputs;
    }
}
