package costline.streams.cost;

import costline.events.OwnedGpu;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistry;
import costline.schemas.serde.AvroDeserializer;
import costline.schemas.serde.WireFormatException;
import costline.streams.inventory.InventoryRules;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import costline.streams.runtime.FailedRecords;
import costline.streams.runtime.StateCache;

/**
 * Keeps the cost task's part of the inventory: gpu.inventory is keyed by GPU id like gpu.samples, so (both topics
 * having the same partitions) a GPU's entry reaches the task that costs its samples. A valid entry replaces the GPU's
 * previous one, a tombstone removes it, and a record that does not decode or breaks {@link InventoryRules} goes to
 * gpu.inventory.dlq with its reason (the previous entry stays in force), counted as {@code inventory.dlq.<REASON>}.
 */
final class InventoryProcessor implements Processor<byte[], byte[], Object, Object> {

    /** A refused inventory record's original bytes, on its way to gpu.inventory.dlq. */
    record InventoryDeadLetter(byte[] value) {
    }

    private final AvroDeserializer<OwnedGpu> decoder;
    private ProcessorContext<Object, Object> context;
    private final SchemaRegistry registry;
    /** The inventory and accrual stores, shared with the task's sample processor. */
    private AccrualStores accrual;
    private StateCache<Long> counters;

    InventoryProcessor(SchemaRegistry registry) {
        this.decoder = new AvroDeserializer<>(registry, OwnedGpu.class);
        this.registry = registry;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.accrual = AccrualStores.of(context, registry);
        this.counters = StateCache.writeBack(context, CostTopology.COUNTERS_STORE, CostTopology.COMMIT_HOOK,
                SampleProcessor.CACHE_ENTRIES);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        // the accrual and counters are written back once per commit: see SampleProcessor#process
        FailedRecords.refuseIfFailedBefore(context);
        try {
            processEntry(record);
        } catch (RuntimeException e) {
            throw FailedRecords.abortTask(context, e);
        }
    }

    private void processEntry(Record<byte[], byte[]> record) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null) {
            if (key == null) {
                deadLetter(record, InventoryRules.Reason.KEY_MISMATCH, "tombstone without a key");
                return;
            }
            accrual.remove(key);
            count("inventory");
            return;
        }
        OwnedGpu gpu;
        try {
            gpu = decoder.deserialize(Topics.GPU_INVENTORY, record.value());
        } catch (WireFormatException e) {
            if (e.retriable()) {
                throw e; // the registry is down: retried from the last commit
            }
            deadLetter(record, InventoryRules.Reason.valueOf(e.failure().name()), e.getMessage());
            return;
        } catch (RuntimeException e) {
            deadLetter(record, InventoryRules.Reason.CORRUPT_BODY, String.valueOf(e.getMessage()));
            return;
        }
        if (gpu == null) {
            deadLetter(record, InventoryRules.Reason.BAD_MAGIC_BYTE, "empty value");
            return;
        }
        InventoryRules.Problem problem = InventoryRules.check(key, gpu);
        if (problem != null) {
            deadLetter(record, problem.reason(), problem.detail());
            return;
        }
        accrual.put(key, record.value());
        count("inventory");
    }

    private void count(String counter) {
        Long v = counters.get(counter);
        counters.put(counter, v == null ? 1 : v + 1);
    }

    private void deadLetter(Record<byte[], byte[]> record, InventoryRules.Reason reason, String detail) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.add(Topics.DLQ_REASON_HEADER, reason.name().getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.DLQ_DETAIL_HEADER, String.valueOf(detail).getBytes(StandardCharsets.UTF_8));
        context.forward(new Record<Object, Object>(record.key(), new InventoryDeadLetter(record.value()), record.timestamp(), headers));
        count("inventory.dlq." + reason.name());
    }
}
