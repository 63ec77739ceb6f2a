package costline.streams.drift;

import static costline.streams.drift.DetectorParams.require;

import costline.schemas.Topics;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the drift topology is built from. {@link DriftSettings} reads it from properties; tests build it
 * directly.
 *
 * @param schemaRegistryUrl      registry of the Avro serdes (http(s)://host:port, or mock://scope in tests)
 * @param samplesTopic           GpuSample input, key = GPU id
 * @param costTopic              CostRecord input, key = workload
 * @param driftTopic             DriftSignal output, key = entity
 * @param defaults               thresholds of GPUs and of every workload without an override
 * @param workloadOverrides      thresholds by workload name
 * @param workloadBucket         a workload's utilization series is its share-weighted utilization over buckets
 *                               of this length (one detector sample per bucket)
 * @param powerPerUtilMinUtilPct power per utilization is only watched at or above this utilization, percent
 *                               (at a few percent the ratio is idle power divided by noise)
 * @param gpuReleasedAfter       a GPU not seen with a workload for this long (event time) is no longer held by it
 * @param costGrace              a minute of gpu.cost is complete once records this much newer (event time) have come:
 *                               its increments come from every partition of the cost topology; a replay of a
 *                               backlog, where partitions drift apart by hours, needs a longer one
 * @param stateRetention         a GPU's or workload's detector state (and a workload's held GPUs) not active for this
 *                               long (event time) is forgotten, with a tombstone in the changelog; a name that returns
 *                               starts a new baseline. Longer than every window above and every idle.after
 */
public record DriftConfig(String schemaRegistryUrl, String samplesTopic, String costTopic, String driftTopic,
                          DriftThresholds defaults, Map<String, DriftThresholds> workloadOverrides,
                          Duration workloadBucket, double powerPerUtilMinUtilPct, Duration gpuReleasedAfter,
                          Duration costGrace, Duration stateRetention) {

    /** Without a retention: {@link #DEFAULT_RETENTION}. */
    public DriftConfig(String schemaRegistryUrl, String samplesTopic, String costTopic, String driftTopic,
                       DriftThresholds defaults, Map<String, DriftThresholds> workloadOverrides, Duration workloadBucket,
                       double powerPerUtilMinUtilPct, Duration gpuReleasedAfter, Duration costGrace) {
        this(schemaRegistryUrl, samplesTopic, costTopic, driftTopic, defaults, workloadOverrides, workloadBucket,
                powerPerUtilMinUtilPct, gpuReleasedAfter, costGrace, DEFAULT_RETENTION);
    }

    /** Default of {@code drift.state.retention}. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);

    public DriftConfig {
        require(schemaRegistryUrl != null && !schemaRegistryUrl.isBlank(), "schema.registry.url",
                "must name the schema registry, e.g. http://localhost:8081");
        require(samplesTopic != null && !samplesTopic.isBlank(), "drift.topic.samples", "must name a topic");
        require(costTopic != null && !costTopic.isBlank(), "drift.topic.cost", "must name a topic");
        require(driftTopic != null && !driftTopic.isBlank(), "drift.topic.drift", "must name a topic");
        require(defaults != null, "drift.*", "defaults must be given");
        workloadOverrides = Map.copyOf(workloadOverrides == null ? Map.of() : workloadOverrides);
        require(workloadBucket != null && workloadBucket.toMillis() >= 1000, "drift.workload.bucket",
                "must be a duration of at least one second, e.g. PT10S");
        require(powerPerUtilMinUtilPct > 0 && powerPerUtilMinUtilPct <= 100, "drift.power.per.util.min.util.pct",
                "must be in (0, 100] (try 10)");
        require(gpuReleasedAfter != null && gpuReleasedAfter.toMillis() >= 1000, "drift.gpu.released.after",
                "must be a duration of at least one second, e.g. PT5M");
        require(costGrace != null && !costGrace.isNegative(), "drift.cost.grace", "must be a duration, e.g. PT15M");
        require(stateRetention != null, "drift.state.retention", "must be a duration, e.g. P7D");
        // the longest span over which an entry is still read after its last activity
        Duration longest = max(max(workloadBucket, gpuReleasedAfter), max(costGrace, defaults.idleAfter()));
        String longestName = "drift.workload.bucket, drift.gpu.released.after, drift.cost.grace and drift.idle.after";
        for (DriftThresholds t : workloadOverrides.values()) {
            longest = max(longest, t.idleAfter());
        }
        costline.streams.runtime.StateExpiry.requireLonger("drift.state.retention", stateRetention,
                longestName + " (overrides included)", longest);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** The defaults everywhere, standard topics. */
    public static DriftConfig defaults(String schemaRegistryUrl) {
        return new DriftConfig(schemaRegistryUrl, Topics.GPU_SAMPLES, Topics.GPU_COST, Topics.GPU_DRIFT,
                DriftThresholds.DEFAULTS, Map.of(), Duration.ofSeconds(10), 10.0, Duration.ofMinutes(5),
                Duration.ofMinutes(15));
    }

    public DriftConfig withOverrides(Map<String, DriftThresholds> overrides) {
        return new DriftConfig(schemaRegistryUrl, samplesTopic, costTopic, driftTopic, defaults, overrides,
                workloadBucket, powerPerUtilMinUtilPct, gpuReleasedAfter, costGrace, stateRetention);
    }

    public DriftConfig withDefaults(DriftThresholds newDefaults) {
        return new DriftConfig(schemaRegistryUrl, samplesTopic, costTopic, driftTopic, newDefaults,
                workloadOverrides, workloadBucket, powerPerUtilMinUtilPct, gpuReleasedAfter, costGrace, stateRetention);
    }

    public DriftConfig withStateRetention(Duration retention) {
        return new DriftConfig(schemaRegistryUrl, samplesTopic, costTopic, driftTopic, defaults, workloadOverrides,
                workloadBucket, powerPerUtilMinUtilPct, gpuReleasedAfter, costGrace, retention);
    }

    public DriftThresholds thresholdsFor(String workload) {
        return workloadOverrides.getOrDefault(workload, defaults);
    }
}
