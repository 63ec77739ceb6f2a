package costline.streams.cost;

import costline.events.OwnedGpu;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistry;
import costline.schemas.serde.AvroDeserializer;
import costline.streams.prices.PriceBook;
import java.nio.ByteBuffer;
import costline.streams.runtime.CommitHook;
import costline.streams.runtime.StateCache;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * {@link FixedCostAccrual}'s memory in the cost task's changelogged stores: the inventory entries of the task's GPUs
 * ({@link CostTopology#INVENTORY_STORE}, the records as they came from gpu.inventory) and, in
 * {@link CostTopology#ACCRUAL_STORE}, each GPU's closing cursor and the fixed cost its samples charged in hours still
 * open. Decides when closing is due: when the hour that may close moved on, or the inventory changed, or the last
 * call stopped at its budget.
 */
final class AccrualStores implements FixedCostAccrual.State {

    /** GPU-hours closed in one punctuation at most: a fleet in service for years is caught up over several. */
    static final long MAX_HOURS_PER_CLOSE = 200_000;
    private static final char SEP = SampleProcessor.SEP;
    private static final String CURSOR = "c" + SEP;
    private static final String CHARGED = "h" + SEP;
    /** Set by {@link InventoryProcessor} when an entry changes: closing must look at the inventory again. */
    static final String CHANGED = "inventory-changed";

    /** Decoded inventory entries kept at most; beyond it the map starts afresh. */
    private static final int MAX_DECODED = 100_000;

    private final KeyValueStore<String, byte[]> inventory;
    /** The accrual store, for scans (after {@link StateCache#flush}); reads and writes go through {@link #accrual}. */
    private final KeyValueStore<String, byte[]> accrualStore;
    private final StateCache<byte[]> accrual;
    private final AvroDeserializer<OwnedGpu> decoder;
    /** Inventory entries decoded, by GPU id (null: not in the inventory); dropped when the entry changes. */
    private final Map<String, OwnedGpu> decoded = new HashMap<>();
    private long closedUpTo = Long.MIN_VALUE;

    private AccrualStores(KeyValueStore<String, byte[]> inventory, KeyValueStore<String, byte[]> accrualStore,
                          StateCache<byte[]> accrual, SchemaRegistry registry) {
        this.inventory = inventory;
        this.accrualStore = accrualStore;
        this.accrual = accrual;
        this.decoder = new AvroDeserializer<>(registry, OwnedGpu.class);
    }

    /**
     * The task's accrual memory, shared by its sample and inventory processors (one writer per store): both must be
     * connected to the inventory, accrual and commit hook stores.
     */
    static AccrualStores of(ProcessingContext context, SchemaRegistry registry) {
        CommitHook hook = context.getStateStore(CostTopology.COMMIT_HOOK);
        return hook.shared(AccrualStores.class.getName(), () -> new AccrualStores(
                context.getStateStore(CostTopology.INVENTORY_STORE), context.getStateStore(CostTopology.ACCRUAL_STORE),
                StateCache.writeBack(context, CostTopology.ACCRUAL_STORE, CostTopology.COMMIT_HOOK,
                        SampleProcessor.CACHE_ENTRIES), registry));
    }

    /** Closes the hours due at {@code clockMs} when anything changed since the last time. */
    void closeDue(long clockMs, long graceMs, long maxAgeMs, PriceBook prices, FixedCostAccrual.Sink sink) {
        long closeEnd = Math.floorDiv(clockMs - graceMs, FixedCostAccrual.HOUR_MS);
        if (closeEnd == closedUpTo && accrual.get(CHANGED) == null) {
            return;
        }
        accrual.delete(CHANGED);
        boolean done = FixedCostAccrual.close(clockMs, graceMs, maxAgeMs, prices, this, sink, MAX_HOURS_PER_CLOSE);
        closedUpTo = done ? closeEnd : Long.MIN_VALUE;
    }

    /** A valid gpu.inventory record for the GPU (its bytes as they came): in force for the hours that close after it. */
    void put(String gpuId, byte[] entry) {
        inventory.put(gpuId, entry);
        changed(gpuId);
    }

    /** The GPU left the inventory: its open hours' charged amounts stay with their samples. */
    void remove(String gpuId) {
        inventory.delete(gpuId);
        List<String> keys = new ArrayList<>();
        String prefix = CHARGED + gpuId + SEP;
        accrual.flush();
        try (KeyValueIterator<String, byte[]> it = accrualStore.range(prefix, prefix + Character.MAX_VALUE)) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        keys.forEach(accrual::delete);
        changed(gpuId);
    }

    private void changed(String gpuId) {
        decoded.remove(gpuId);
        accrual.put(CHANGED, new byte[] {1});
    }

    @Override
    public OwnedGpu gpu(String gpuId) {
        if (decoded.containsKey(gpuId)) {
            return decoded.get(gpuId);
        }
        byte[] b = inventory.get(gpuId);
        OwnedGpu gpu = b == null ? null : decoder.deserialize(Topics.GPU_INVENTORY, b);
        if (decoded.size() >= MAX_DECODED) {
            decoded.clear();
        }
        decoded.put(gpuId, gpu);
        return gpu;
    }

    @Override
    public Iterable<String> gpuIds() {
        List<String> ids = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = inventory.all()) {
            it.forEachRemaining(kv -> ids.add(kv.key));
        }
        return ids;
    }

    @Override
    public Long cursor(String gpuId) {
        byte[] b = accrual.get(CURSOR + gpuId);
        return b == null ? null : ByteBuffer.wrap(b).getLong();
    }

    @Override
    public void cursor(String gpuId, long hourMs) {
        accrual.put(CURSOR + gpuId, ByteBuffer.allocate(8).putLong(hourMs).array());
    }

    @Override
    public long[] charged(String gpuId, long hourMs) {
        byte[] b = accrual.get(chargedKey(gpuId, hourMs));
        if (b == null) {
            return new long[2];
        }
        ByteBuffer buf = ByteBuffer.wrap(b);
        return new long[] {buf.getLong(), buf.getLong()};
    }

    @Override
    public void charged(String gpuId, long hourMs, long[] microUsdAndMs) {
        accrual.put(chargedKey(gpuId, hourMs), ByteBuffer.allocate(16).putLong(microUsdAndMs[0]).putLong(microUsdAndMs[1]).array());
    }

    @Override
    public NavigableMap<Long, long[]> takeCharged(String gpuId, long beforeHourMs) {
        NavigableMap<Long, long[]> out = new TreeMap<>();
        String prefix = CHARGED + gpuId + SEP;
        String end = prefix + SampleProcessor.pad(Math.max(0, beforeHourMs));
        List<String> keys = new ArrayList<>();
        accrual.flush();
        try (KeyValueIterator<String, byte[]> it = accrualStore.range(prefix, end)) {
            it.forEachRemaining(kv -> {
                if (kv.key.compareTo(end) < 0) {
                    ByteBuffer buf = ByteBuffer.wrap(kv.value);
                    out.put(Long.parseLong(kv.key.substring(prefix.length())), new long[] {buf.getLong(), buf.getLong()});
                    keys.add(kv.key);
                }
            });
        }
        keys.forEach(accrual::delete);
        return out;
    }

    private static String chargedKey(String gpuId, long hourMs) {
        return CHARGED + gpuId + SEP + SampleProcessor.pad(hourMs);
    }
}
