package costline.schemas;

/** Topic names, in one place. Keys and cleanup policies are in the project README's topic table. */
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

    /** Dead-letter header holding the {@code DecodeFailure} or validation reason code. */
    public static final String DLQ_REASON_HEADER = "costline.dlq.reason";
    /** Dead-letter header holding a human-readable detail. */
    public static final String DLQ_DETAIL_HEADER = "costline.dlq.detail";

    private Topics() {
    }
}
