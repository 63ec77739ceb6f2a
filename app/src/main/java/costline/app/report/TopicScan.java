package costline.app.report;

import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroDeserializer;
import costline.streams.config.Skips;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads one topic from its beginning to the end offsets seen at the start, committed records only, and hands each
 * decoded value to a visitor with where it came from. No consumer group: a report never moves anyone's offsets.
 * A record that cannot be decoded is counted and skipped (the consumers that own the topic dead-letter it).
 */
final class TopicScan {

    /** Where a record sits: a figure in the report cites it. */
    record Origin(String topic, int partition, long offset, String key) {
    }

    interface Visitor<T> {
        void accept(Origin origin, T value);
    }

    private final String bootstrap;
    private final String registryUrl;
    private final Duration timeout;

    TopicScan(String bootstrap, String registryUrl, Duration timeout) {
        this.bootstrap = bootstrap;
        this.registryUrl = registryUrl;
        this.timeout = timeout;
    }

    /**
     * Visits every committed record of {@code topic} whose value is a {@code type}; a tombstone comes as null.
     * Returns the number of records that could not be decoded. A missing topic is no data, not an error: a month
     * can have no drift, and a fresh cluster no topic yet.
     */
    <T extends SpecificRecord> long scan(String topic, Class<T> type, Visitor<T> visitor) {
        Skips skips = new Skips(topic);
        scan(topic, type, skips, visitor);
        return skips.total();
    }

    /** As above, counting what is skipped in {@code skips} by its reason ({@link costline.streams.config.Decoding}). */
    <T extends SpecificRecord> void scan(String topic, Class<T> type, Skips skips, Visitor<T> visitor) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "costline-report-html");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        Instant deadline = Instant.now().plus(timeout);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
             AvroDeserializer<T> values = new AvroDeserializer<>(SchemaRegistries.forUrl(registryUrl), type)) {
            Map<String, List<org.apache.kafka.common.PartitionInfo>> topics = consumer.listTopics(timeout);
            if (!topics.containsKey(topic)) {
                return;
            }
            List<TopicPartition> partitions = topics.get(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("reading " + topic + " did not reach its end within " + timeout
                            + "; raise --timeout");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue;
                    }
                    Origin origin = new Origin(topic, r.partition(), r.offset(), r.key());
                    if (r.value() == null) {
                        visitor.accept(origin, null);
                        continue;
                    }
                    T value = skips.decode(values, r.value());
                    if (value != null) {
                        visitor.accept(origin, value);
                    }
                }
            }
        }
    }
}
