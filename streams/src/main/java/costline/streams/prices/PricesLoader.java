package costline.streams.prices;

import costline.events.PriceEntry;
import costline.schemas.Topics;
import costline.schemas.serde.AvroSerializer;
import costline.schemas.registry.SchemaRegistries;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes catalog entries to the compacted gpu.prices topic, one record per price version (key
 * {@link PriceKeys#topicKey}), with the record timestamp at effective_from. Idempotent: loading the same catalog
 * twice leaves the same latest record per key, which is all compaction keeps.
 */
public final class PricesLoader {

    /** Topic settings gpu.prices is created with: compacted, every version kept. */
    public static final Map<String, String> TOPIC_CONFIG = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);

    private PricesLoader() {
    }

    /** Sends every entry and waits for the broker's acknowledgement of each; returns how many were written. */
    public static int load(Properties clientProps, String registryUrl, List<PriceEntry> entries) {
        Properties props = new Properties();
        props.putAll(clientProps);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        AvroSerializer<PriceEntry> values = new AvroSerializer<>(SchemaRegistries.forUrl(registryUrl));
        try (KafkaProducer<String, PriceEntry> producer = new KafkaProducer<>(props, new StringSerializer(), values)) {
            List<Future<RecordMetadata>> sent = entries.stream()
                    .map(e -> producer.send(new ProducerRecord<>(Topics.GPU_PRICES, null,
                            e.getEffectiveFrom().toEpochMilli(), PriceKeys.topicKey(e), e)))
                    .toList();
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
            return sent.size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading prices", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("writing prices to " + Topics.GPU_PRICES + " failed: " + e.getCause(), e.getCause());
        }
    }
}
