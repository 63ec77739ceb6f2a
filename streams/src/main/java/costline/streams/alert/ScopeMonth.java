package costline.streams.alert;

import java.util.TreeMap;

/**
 * What the alert keeps per scope (a workload or the fleet) for its current month, as JSON in the state store.
 * Money in micro-USD, time in GPU-ms, instants in epoch ms.
 */
public final class ScopeMonth {

    /** Usage of one cloud GPU model in the month. */
    public static final class ModelUsage {
        public long costMicroUsd;
        public long busyGpuMs;
        /** Highest concurrent GPUs seen in any minute this month. */
        public int peakGpus;
        /** GPU-ms per recent minute (keyed by minute start): the fleet gets one record per workload per minute. */
        public TreeMap<Long, Long> recentMinutes = new TreeMap<>();
        /** Cloud cost per hour (keyed by hour start) over the last day: the run-rate of the projection. */
        public TreeMap<Long, Long> hourlyCost = new TreeMap<>();
        /** Busy GPU-ms per hour over the last day: the energy part of the line grows at this rate. */
        public TreeMap<Long, Long> hourlyBusyMs = new TreeMap<>();
    }

    public String month;
    /** NONE, WARNING or FIRING. */
    public String state = "NONE";
    /** Latest window end seen this month, epoch ms: the run-rate's elapsed time runs to here. */
    public long latestMs;
    public TreeMap<String, ModelUsage> models = new TreeMap<>();
}
