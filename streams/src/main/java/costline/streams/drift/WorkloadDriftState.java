package costline.streams.drift;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** State of one workload's detectors and idle tracking, one store entry per workload. */
final class WorkloadDriftState {

    // Share-weighted utilization of the open bucket: sum(share * util * interval) / sum(share * interval).
    long bucketStart = -1;
    double weightedUtilMs;
    double weightMs;
    DetectorState utilization;

    // Cost of the minutes still open, micro-USD by minute start (the sum of their increments), and the last minute
    // fed to the cost-rate detector.
    TreeMap<Long, Long> openCost = new TreeMap<>();
    long costClosedThrough = -1;
    DetectorState costRate;
    long lateCostRecords;

    /** Cost of one GPU-hour of this workload by site|model, micro-USD, from its latest cost record. */
    Map<String, Long> microUsdPerGpuHour = new HashMap<>();

    /** The held GPUs live in their own store (one entry per workload and GPU); this is only the episode flag. */
    boolean idleEpisode;
    long lastObservation = Long.MIN_VALUE;

    /**
     * Event time of the workload's latest input (an observation or a minute of cost), from the fields above so entries
     * written before expiry existed have it too.
     */
    long lastActiveMs() {
        long last = Math.max(lastObservation, costClosedThrough);
        return openCost.isEmpty() ? last : Math.max(last, openCost.lastKey());
    }
}
