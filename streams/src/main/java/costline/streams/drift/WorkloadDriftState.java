package costline.streams.drift;

import java.util.HashMap;
import java.util.Map;

/** State of one workload's detectors and idle tracking, one store entry per workload. */
final class WorkloadDriftState {

    // Share-weighted utilization of the open bucket: sum(share * util * interval) / sum(share * interval).
    long bucketStart = -1;
    double weightedUtilMs;
    double weightMs;
    DetectorState utilization;

    // Cost of the open minute by site|model (a repeated record for the same part replaces it).
    long costMinuteStart = -1;
    long costMinuteEnd = -1;
    Map<String, Long> costParts = new HashMap<>();
    DetectorState costRate;
    long lateCostRecords;

    /** Cost of one GPU-hour of this workload by site|model, micro-USD, from its latest cost record. */
    Map<String, Long> microUsdPerGpuHour = new HashMap<>();

    /** The held GPUs live in their own store (one entry per workload and GPU); this is only the episode flag. */
    boolean idleEpisode;
    long lastObservation = Long.MIN_VALUE;
}
