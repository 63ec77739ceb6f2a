package costline.streams.cost;

/**
 * The identity of one gpu.cost increment among those of the same (minute, site, GPU model, workload): the partition
 * of the task that summed it and that task's sequence number for the key. CostRecord carries both in one int,
 * {@code revision = partition x 100,000 + sequence}, which fits for partitions below 21,474 (topics.partitions allows
 * at most 10,000).
 *
 * <p>The store's point of an increment is (tags + {@code cost_partition} tag, window_start + sequence microseconds): the
 * sequence stays below 100,000 (0.1 s) whatever the partition count, so a point never leaves its minute and two
 * increments never share a point.
 */
public record CostRevision(int partition, int sequence) {

    public static final int PER_PARTITION = 100_000;
    /** Partitions whose revisions still fit an int. */
    public static final int MAX_PARTITIONS = Integer.MAX_VALUE / PER_PARTITION;

    public CostRevision {
        if (partition < 0 || partition >= MAX_PARTITIONS || sequence < 0 || sequence >= PER_PARTITION) {
            throw new IllegalArgumentException("revision out of range: partition " + partition + ", sequence " + sequence);
        }
    }

    public static CostRevision of(int revision) {
        return new CostRevision(revision / PER_PARTITION, revision % PER_PARTITION);
    }

    public int value() {
        return partition * PER_PARTITION + sequence;
    }
}
