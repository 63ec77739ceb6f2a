package costline.streams.cost;

import costline.events.CostRecord;
import costline.events.PriceEntry;
import costline.schemas.Topics;
import costline.streams.config.StateStores;
import costline.streams.prices.PriceStore;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.registry.SchemaRegistry;
import costline.schemas.serde.AvroDeserializer;
import costline.schemas.serde.AvroSerializer;
import costline.schemas.serde.AvroSerde;
import costline.streams.runtime.CommitHook;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cost topology, a pure function from settings to {@link Topology}:
 * <pre>
 *   gpu.prices (compacted, one record per price version) ──> global {@link PriceStore} cost-prices
 *                                                        (refused versions ──> gpu.prices.dlq, from partition 0's task)
 *   gpu.samples (raw bytes) ──> cost-samples ──> increments, numbered per (minute, site, model, workload) ──> gpu.cost
 *                                           └──> gpu.samples.dlq (original key and bytes + reason headers)
 *   gpu.inventory (compacted, key = GPU id) ──> cost-inventory store ──> hours of owned GPUs close: the fixed cost no
 *                                            sample charged ──> workload `unobserved` in gpu.cost ({@link FixedCostAccrual})
 *                                           └──> gpu.inventory.dlq (refused entries + reason headers)
 * </pre>
 * Samples are consumed as bytes and decoded in the processor, so a record that does not decode is dead-lettered
 * with its original bytes instead of stopping the topology. Prices are a global store, read by every task: samples
 * need no re-partitioning by price key.
 */
public final class CostTopology {

    public static final String PRICES_STORE = "cost-prices";
    /**
     * The de-duplication memory: per GPU, the samples costed within the de-duplication window and what each was costed
     * at ({@link SeenSamples}, {@link SeenWindow}).
     */
    public static final String SEEN_STORE_BY_GPU = "cost-seen-by-gpu";
    /** The earlier layout's seen samples, a window store (GPU id, sample time) -> seen: read until its entries age out. */
    public static final String SEEN_BY_TIME_STORE = "cost-seen-by-time";
    /** The earlier layout's seen samples, (time SEP GPU id) -> seen: read until its entries age out. */
    public static final String SEEN_STORE = "cost-seen-samples";
    public static final String ENERGY_STORE = "cost-energy-counters";
    public static final String PENDING_STORE = "cost-pending";
    /** The earlier layout's revision sequences (now kept in the pending entries): read until its entries age out. */
    public static final String REVISIONS_STORE = "cost-revisions";
    /** Writes the processors' held state before each commit ({@link CommitHook}). */
    public static final String COMMIT_HOOK = "cost-commit-hook";
    /** The seen samples are kept this much past the de-duplication window: no accepted sample finds its entry gone. */
    static final long SEEN_MARGIN_MS = 60_000L;
    /** The task's part of the inventory: GPU id -> its gpu.inventory record. */
    public static final String INVENTORY_STORE = "cost-inventory";
    /** Per owned GPU: the closing cursor, and the fixed cost samples charged in hours still open ({@link FixedCostAccrual}). */
    public static final String ACCRUAL_STORE = "cost-accrual";
    /** The cardinality guard's memory: workload names admitted per (day, site), and their number ({@link WorkloadGuard}). */
    public static final String NAMES_STORE = "cost-workload-names";
    /** Counts: samples, duplicates, corrections, dlq.&lt;REASON&gt; (and the partition's watermark). */
    public static final String COUNTERS_STORE = "cost-counters";
    static final String COST_SINK = "to-gpu-cost";
    static final String DLQ_SINK = "to-gpu-samples-dlq";
    static final String PRICES_DLQ_SINK = "to-gpu-prices-dlq";
    static final String INVENTORY_DLQ_SINK = "to-gpu-inventory-dlq";
    private static final Logger LOG = LoggerFactory.getLogger(CostTopology.class);

    private CostTopology() {
    }

    public static Topology build(CostSettings cfg) {
        return build(cfg, true);
    }

    /**
     * With {@code persistent} false the durable stores are in memory (still changelogged): see {@link StateStores}; the
     * de-duplication window then too, else where {@link CostSettings#dedupStore()} says.
     */
    public static Topology build(CostSettings cfg, boolean persistent) {
        boolean dedupInMemory = !persistent || cfg.dedupStore() == CostSettings.DedupStore.MEMORY;
        SchemaRegistry registry = SchemaRegistries.forUrl(cfg.registryUrl());
        AvroSerde<CostRecord> costSerde = new AvroSerde<>(registry, CostRecord.class);
        StreamsBuilder b = new StreamsBuilder();

        PriceStore.addTo(b, PRICES_STORE, registry);
        // The de-duplication memory, one value per GPU (and chunks of it) in a plain key-value store, read and written
        // through a write-back cache: a commit writes each GPU sampled since the last one once, however many of its
        // samples it covers (a replay), and there are no segments to open and drop.
        b.addStateStore(Stores.keyValueStoreBuilder(StateStores.keyValue(SEEN_STORE_BY_GPU, persistent && !dedupInMemory),
                Serdes.String(), StateCodec.serde(StateCodec::seenWindow, StateCodec::seenWindow)));
        // The earlier layout's window store of seen samples by (GPU, sample time): read as a fallback until what it holds
        // is behind the window, never written again (but for one tombstone that drops its old segments).
        Duration seenRetention = Duration.ofMillis(cfg.dedupWindowMs() + SEEN_MARGIN_MS);
        b.addStateStore(Stores.windowStoreBuilder(StateStores.window(SEEN_BY_TIME_STORE, seenRetention, Duration.ofMillis(1), !dedupInMemory),
                Serdes.String(), Serdes.ByteArray()));
        // The stores the earlier layout wrote per sample, kept so that a running deployment's changelogs restore: read
        // as a fallback and emptied as their entries age out, never written again.
        b.addStateStore(Stores.keyValueStoreBuilder(StateStores.keyValue(SEEN_STORE, persistent), Serdes.String(), Serdes.ByteArray()));
        b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(REVISIONS_STORE), Serdes.String(), Serdes.Integer()));
        // The rest is read and written through write-back caches (StateCache): values decoded in memory, each key
        // written once per commit before it (the commit hook), in the same byte layout as before (StateCodec). No
        // Streams record cache: it would be flushed apart from the hook.
        b.addStateStore(CommitHook.store(COMMIT_HOOK));
        b.addStateStore(Stores.keyValueStoreBuilder(StateStores.keyValue(ENERGY_STORE, persistent), Serdes.String(),
                StateCodec.serde(StateCodec::energy, StateCodec::energy)));
        b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PENDING_STORE), Serdes.String(),
                StateCodec.serde(StateCodec::pending, StateCodec::pending)));
        b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(COUNTERS_STORE), Serdes.String(), Serdes.Long()));
        b.addStateStore(Stores.keyValueStoreBuilder(StateStores.keyValue(NAMES_STORE, persistent), Serdes.String(), Serdes.Long()));

        b.addStateStore(Stores.keyValueStoreBuilder(StateStores.keyValue(INVENTORY_STORE, persistent), Serdes.String(), Serdes.ByteArray()));
        b.addStateStore(Stores.keyValueStoreBuilder(StateStores.keyValue(ACCRUAL_STORE, persistent), Serdes.String(), Serdes.ByteArray()));

        // gpu.inventory is keyed by GPU id like gpu.samples and shares the task's stores with the sample processor:
        // one sub-topology, so partition p of both topics goes to the same task (the topics must have the same
        // partition count, which `streams run` gives the topics it creates)
        b.stream(Topics.GPU_INVENTORY, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("gpu-inventory-source"))
                .process(() -> new InventoryProcessor(registry), Named.as("cost-inventory"),
                        INVENTORY_STORE, ACCRUAL_STORE, COUNTERS_STORE, COMMIT_HOOK)
                .map((k, v) -> KeyValue.pair((byte[]) k, ((InventoryProcessor.InventoryDeadLetter) v).value()),
                        Named.as("cost-inventory-dead-letter-bytes"))
                .to(Topics.GPU_INVENTORY_DLQ, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(INVENTORY_DLQ_SINK));

        Map<String, KStream<Object, Object>> out = b.stream(Topics.GPU_SAMPLES,
                        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("gpu-samples-source"))
                .process(() -> new SampleProcessor(cfg, registry), Named.as("cost-samples"),
                        SEEN_STORE_BY_GPU, SEEN_BY_TIME_STORE, SEEN_STORE, ENERGY_STORE, PENDING_STORE, COUNTERS_STORE, REVISIONS_STORE,
                        INVENTORY_STORE, ACCRUAL_STORE, NAMES_STORE, COMMIT_HOOK)
                .split(Named.as("cost-"))
                .branch((k, v) -> v instanceof DeadLetter, Branched.as("dead-letters"))
                .branch((k, v) -> v instanceof PriceDeadLetter, Branched.as("price-dead-letters"))
                .defaultBranch(Branched.as("increments"));

        out.get("cost-dead-letters")
                .map((k, v) -> KeyValue.pair((byte[]) k, ((DeadLetter) v).value()), Named.as("cost-dead-letter-bytes"))
                .to(Topics.GPU_SAMPLES_DLQ, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(DLQ_SINK));

        out.get("cost-price-dead-letters")
                .map((k, v) -> KeyValue.pair((String) k, ((PriceDeadLetter) v).value()), Named.as("cost-price-dead-letter-bytes"))
                .to(Topics.GPU_PRICES_DLQ, Produced.with(Serdes.String(), Serdes.ByteArray()).withName(PRICES_DLQ_SINK));

        // Increments are keyed by workload and numbered by the task that summed them (see SampleProcessor): no
        // re-partition is needed to keep the numbers of one (minute, site, model, workload) unique.
        out.get("cost-increments")
                .map((k, v) -> KeyValue.pair((String) k, (CostRecord) v), Named.as("cost-increment-records"))
                .to(Topics.GPU_COST, Produced.with(Serdes.String(), costSerde).withName(COST_SINK));
        return b.build();
    }
}
