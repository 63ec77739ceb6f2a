package costline.streams.drift;

/**
 * A GPU held by a workload, as last seen: one store entry per workload and GPU, so a sample rewrites one small
 * entry however many GPUs the workload holds.
 */
final class HeldGpu {
    double share;
    String siteModel;
    double lastUtilPct;
    long lastSeen;
    /** Start of the current run under the idle floor; null while busy. */
    Long idleSince;
}
