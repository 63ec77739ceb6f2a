package costline.schemas;

/**
 * Topic names, dead-letter topic names and reserved names, in one place. Keys and cleanup policies are in the
 * project README's topic table.
 */
public final class Topics {

    /** GpuSample, key = GPU id; cleanup delete. */
    public static final String GPU_SAMPLES = "gpu.samples";
    /** Raw bytes of samples that failed decoding or validation, with the reason in headers. */
    public static final String GPU_SAMPLES_DLQ = "gpu.samples.dlq";
    /** PriceEntry, key = price key; compacted. */
    public static final String GPU_PRICES = "gpu.prices";
    /** CostRecord per workload per minute, key = workload. */
    public static final String GPU_COST = "gpu.cost";
    /** DriftSignal, key = GPU id or workload. */
    public static final String GPU_DRIFT = "gpu.drift";
    /** BreakEvenRecommendation, key = workload or the fleet; compacted. */
    public static final String GPU_BREAKEVEN = "gpu.breakeven";
    /** SpendAlert, key = workload. */
    public static final String GPU_ALERTS = "gpu.alerts";
    /** MonthlyRollup, key = month|workload|site|gpu model; compacted. */
    public static final String GPU_ROLLUP_MONTHLY = "gpu.rollup.monthly";

    /** BillReconciliation, key = month|instance id; compacted (a re-run replaces the month's figures). */
    public static final String GPU_RECONCILE = "gpu.reconcile";

    /** Owned GPUs (OwnedGpu), key = GPU id; compacted: the latest record per GPU is its inventory entry. */
    public static final String GPU_INVENTORY = "gpu.inventory";

    /** Records of gpu.inventory the cost topology refuses (undecodable, bad names or dates), with the reason in headers. */
    public static final String GPU_INVENTORY_DLQ = "gpu.inventory.dlq";

    /** Price versions refused by the price store (the model cannot price with them), with the reason in headers. */
    public static final String GPU_PRICES_DLQ = "gpu.prices.dlq";
    /** CostRecords that the finance topologies (rollup, alert, break-even) cannot count, with the reason in headers. */
    public static final String GPU_FINANCE_DLQ = "gpu.finance.dlq";
    /** Records of gpu.samples or gpu.cost the drift topology cannot decode (null, empty, garbage, another event's
     *  schema), with the reason and origin in headers. */
    public static final String GPU_DRIFT_DLQ = "gpu.drift.dlq";
    /** Records the Influx sink cannot map to a point, with the reason in headers. */
    public static final String GPU_SINK_DLQ = "gpu.sink.dlq";

    /** Workload of GPU time that no workload held (sampled, but idle of any job). */
    public static final String UNALLOCATED = "unallocated";
    /** Workload of an owned GPU's in-service time that no sample covered: its fixed cost is still spent. */
    public static final String UNOBSERVED = "unobserved";
    /** Scope of the whole fleet in alerts and break-even. */
    public static final String FLEET = "*fleet*";
    /** Bucket that collects names beyond a cardinality limit. */
    public static final String OVERFLOW = "overflow";
    /** Names no collector may emit: they would mix a workload's money with a reserved bucket. */
    public static final java.util.Set<String> RESERVED_NAMES = java.util.Set.of(UNALLOCATED, UNOBSERVED, FLEET, OVERFLOW);

    /** True when {@code name} is one of the {@link #RESERVED_NAMES}. */
    public static boolean isReserved(String name) {
        return name != null && RESERVED_NAMES.contains(name);
    }

    /** Dead-letter header holding the {@code DecodeFailure} or validation reason code. */
    public static final String DLQ_REASON_HEADER = "costline.dlq.reason";
    /** Dead-letter header holding a human-readable detail. */
    public static final String DLQ_DETAIL_HEADER = "costline.dlq.detail";

    private Topics() {
    }
}
