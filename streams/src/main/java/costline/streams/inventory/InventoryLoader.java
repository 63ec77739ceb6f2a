package costline.streams.inventory;

import costline.events.OwnedGpu;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroSerializer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes the inventory to the compacted gpu.inventory topic, keyed by GPU id (the key of the GPU's samples, so
 * the entry reaches the cost task that costs them), and a tombstone for each removed GPU. Idempotent: loading the
 * same file again leaves the same latest record per GPU. An entry is stamped with its in_service_from.
 */
public final class InventoryLoader {

    /** Topic settings gpu.inventory is created with: compacted, the latest entry per GPU kept. */
    public static final Map<String, String> TOPIC_CONFIG = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);

    private InventoryLoader() {
    }

    /** Sends every entry and tombstone and waits for the broker's acknowledgement of each; returns how many were written. */
    public static int load(Properties clientProps, String registryUrl, InventoryFile.Inventory inventory) {
        Properties props = new Properties();
        props.putAll(clientProps);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        AvroSerializer<OwnedGpu> values = new AvroSerializer<>(SchemaRegistries.forUrl(registryUrl));
        try (KafkaProducer<String, OwnedGpu> producer = new KafkaProducer<>(props, new StringSerializer(), values)) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (OwnedGpu gpu : inventory.gpus()) {
                // stamped at in_service_from: the cost task takes its inputs in timestamp order, so the entry is in
                // force before any sample of the GPU's service, also in a replay or a backfill of past samples
                sent.add(producer.send(new ProducerRecord<>(Topics.GPU_INVENTORY, null,
                        gpu.getInServiceFrom().toEpochMilli(), gpu.getGpuId(), gpu)));
            }
            for (String removed : inventory.removed()) {
                sent.add(producer.send(new ProducerRecord<>(Topics.GPU_INVENTORY, removed, null)));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
            return sent.size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading the inventory", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("writing the inventory to " + Topics.GPU_INVENTORY + " failed: " + e.getCause(), e.getCause());
        }
    }
}
