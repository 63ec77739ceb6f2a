package costline.streams.drift;

import costline.streams.config.JsonSerde;
import costline.events.CostRecord;
import costline.events.DriftSignal;
import costline.events.GpuSample;
import costline.events.WorkloadShare;
import costline.schemas.Topics;
import costline.schemas.serde.AvroSerde;
import costline.streams.config.DecodedSource;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Settings;
import costline.streams.cost.CostSettings;
import costline.streams.cost.SampleRules;
import costline.streams.finance.CostRecordCheck;
import java.util.Map;
import costline.streams.drift.WorkloadInput.CostPart;
import costline.streams.drift.WorkloadInput.Observation;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;

/**
 * Drift signals: gpu.samples and gpu.cost in, DriftSignal out to gpu.drift keyed by entity (GPU id or workload).
 *
 * <pre>
 * gpu.samples ──> per GPU (key = GPU id): utilization, power per util% ─────────────────────────┐
 *      └─ one input per workload share ──┐                                                      ├─> gpu.drift
 * gpu.cost ───── re-keyed by workload ───┴─> held, sent per workload in batches ─> repartition  │
 *                                            by workload ─> per workload:                      │
 *                                              utilization, cost rate, idle episodes ───────────┘
 * </pre>
 * A pure function of its config: it creates no client. Every store is persistent (RocksDB) and changelogged,
 * so detectors resume where they stopped after a restart or on another instance.
 */
public final class DriftTopology {

    static final String WORKLOAD_REPARTITION = "drift-workload-input";

    private DriftTopology() {
    }

    /** With the cost topology's default limits for samples ({@link CostSettings}). */
    public static Topology build(DriftConfig config) {
        return build(config, CostSettings.from(Settings.of(Map.of(KafkaSettings.REGISTRY_URL.key(), config.schemaRegistryUrl()))));
    }

    /** {@code sampleRules}: the limits of {@link SampleRules} (cost.max.*), the same as the cost topology's. */
    public static Topology build(DriftConfig config, CostSettings sampleRules) {
        return build(config, sampleRules, true);
    }

    public static Topology build(DriftConfig config, boolean persistent) {
        return build(config, CostSettings.from(Settings.of(Map.of(KafkaSettings.REGISTRY_URL.key(), config.schemaRegistryUrl()))),
                persistent);
    }

    /**
     * With {@code persistent} false the stores are in memory (still changelogged). Only for tests that drive many
     * thousands of records through TopologyTestDriver, which flushes RocksDB after every record.
     */
    public static Topology build(DriftConfig config, CostSettings sampleRules, boolean persistent) {
        return build(config, sampleRules, WorkloadBatching.DEFAULT, persistent);
    }

    /** {@code batching}: how the workload inputs are gathered into repartition records ({@link WorkloadBatcher}). */
    static Topology build(DriftConfig config, CostSettings sampleRules, WorkloadBatching batching, boolean persistent) {
        Serde<DriftSignal> signalSerde = AvroSerde.forValues(config.schemaRegistryUrl(), DriftSignal.class);
        // binary; reads the single-input records of earlier builds (and their JSON) as batches of one
        Serde<WorkloadBatch> batchSerde = DriftCodec.workloadBatch();

        StreamsBuilder builder = new StreamsBuilder();
        // A GPU's or workload's state changes with every sample: the processors hold it decoded (StateCache) and
        // write it back once per key per commit, before Streams commits (the commit hooks), instead of encoding it
        // per sample. The GPU and workload processors are in different sub-topologies (tasks): a hook each.
        builder.addStateStore(Stores.keyValueStoreBuilder(store(GpuDriftProcessor.STORE, persistent),
                Serdes.String(), DriftCodec.gpuState()));
        builder.addStateStore(Stores.keyValueStoreBuilder(store(WorkloadDriftProcessor.STORE, persistent),
                Serdes.String(), new JsonSerde<>(WorkloadDriftState.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(store(WorkloadDriftProcessor.GPU_STORE, persistent),
                Serdes.String(), DriftCodec.heldGpu()));
        builder.addStateStore(Stores.keyValueStoreBuilder(store(WorkloadBatcher.STORE, persistent),
                Serdes.String(), batchSerde));
        builder.addStateStore(costline.streams.runtime.CommitHook.store(GpuDriftProcessor.COMMIT_HOOK));
        builder.addStateStore(costline.streams.runtime.CommitHook.store(WorkloadDriftProcessor.COMMIT_HOOK));

        // Both inputs are decoded inside the topology: a record that does not decode goes to gpu.drift.dlq instead
        // of failing the task (which, replaced at the same offset, would fail again for good). Samples pass the cost
        // topology's own rules (names, ranges, plausible power, sample time), CostRecords the finance check: what the
        // cost topology refuses never moves a detector, and goes to gpu.drift.dlq with the same reason.
        KStream<String, GpuSample> samples = DecodedSource.stream(builder, config.samplesTopic(), GpuSample.class,
                config.schemaRegistryUrl(), Topics.GPU_DRIFT_DLQ, "drift-samples", SampleRules.asCheck(sampleRules));

        KStream<String, DriftSignal> gpuSignals = samples.process(() -> new GpuDriftProcessor(config),
                Named.as("drift-gpu"), GpuDriftProcessor.STORE, GpuDriftProcessor.COMMIT_HOOK);

        KStream<String, WorkloadInput> observations = samples.flatMap(
                (gpu, sample) -> observations(gpu, sample), Named.as("drift-shares"));
        KStream<String, WorkloadInput> costs = DecodedSource.stream(builder, config.costTopic(), CostRecord.class,
                        config.schemaRegistryUrl(), Topics.GPU_DRIFT_DLQ, "drift-cost", CostRecordCheck.asCheck())
                // owned GPUs' unsampled hours (and the samples moving money back out of them) are no workload's cost rate
                .filter((k, c) -> !Topics.UNOBSERVED.equals(c.getWorkload()), Named.as("drift-cost-sampled"))
                .map((k, c) -> KeyValue.pair(c.getWorkload(), WorkloadInput.of(new CostPart(c.getSite().name(),
                        c.getGpuModel(), c.getWindowStart().toEpochMilli(), c.getWindowEnd().toEpochMilli(),
                        c.getCostMicroUsd(), c.getGpuMs()))), Named.as("drift-cost-by-workload"));

        // One record per workload and send, not per share of a sample: the inputs are held (as state that commits
        // with the offsets) and sent per workload every send interval, in the order read.
        KStream<String, DriftSignal> workloadSignals = observations
                .merge(costs, Named.as("drift-workload-merge"))
                .process(() -> new WorkloadBatcher(batching), Named.as("drift-workload-batch"), WorkloadBatcher.STORE,
                        GpuDriftProcessor.COMMIT_HOOK)
                .repartition(Repartitioned.with(Serdes.String(), batchSerde).withName(WORKLOAD_REPARTITION))
                .process(() -> new WorkloadDriftProcessor(config), Named.as("drift-workload"),
                        WorkloadDriftProcessor.STORE, WorkloadDriftProcessor.GPU_STORE, WorkloadDriftProcessor.COMMIT_HOOK);

        gpuSignals.merge(workloadSignals, Named.as("drift-signals"))
                .to(config.driftTopic(), Produced.with(Serdes.String(), signalSerde).withName("drift-out"));
        return builder.build();
    }

    private static KeyValueBytesStoreSupplier store(String name, boolean persistent) {
        return persistent ? Stores.persistentKeyValueStore(name) : Stores.inMemoryKeyValueStore(name);
    }

    /** One observation per workload share with a valid share; the GPU's own utilization rides along. */
    static List<KeyValue<String, WorkloadInput>> observations(String gpuKey, GpuSample s) {
        if (s == null || s.getWorkloads() == null) {
            return List.of();
        }
        String gpu = gpuKey != null ? gpuKey : s.getGpuId();
        Float util = s.getUtilGpuPct();
        Double utilPct = util != null && Readings.validUtil(util) ? Double.valueOf(util) : null;
        List<KeyValue<String, WorkloadInput>> out = new ArrayList<>(s.getWorkloads().size());
        for (WorkloadShare w : s.getWorkloads()) {
            if (w.getWorkload() == null || !Readings.validShare(w.getShare())) {
                continue;
            }
            out.add(KeyValue.pair(w.getWorkload(), WorkloadInput.of(new Observation(gpu,
                    s.getSampleTime().toEpochMilli(), s.getIntervalMs(), utilPct, w.getShare(), s.getSite().name(),
                    s.getGpuModel()))));
        }
        return out;
    }

    /**
     * The Streams settings this topology is meant to run under: exactly_once_v2 (a restart neither loses nor
     * repeats a detector step), and records that cannot be decoded logged and skipped here, because the cost
     * topology dead-letters the same gpu.samples records and one copy in gpu.samples.dlq is enough (Streams
     * counts the skips in its dropped-records metric).
     */
    public static Properties streamsProperties(String applicationId, String bootstrapServers, String stateDir) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndContinueExceptionHandler.class.getName());
        return p;
    }
}
