package costline.streams.rollup;

import costline.events.MonthlyRollup;
import costline.schemas.serde.AvroDeserializer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
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
 * Reads the rollup topic from the beginning to its current end and keeps the latest record per key of one month
 * (the compacted topic's view). No consumer group: nothing is committed, so a report never moves anyone's offsets.
 * Reads committed records only, so an aborted exactly-once transaction never shows up in a report.
 */
public final class RollupTopicReader {

    private RollupTopicReader() {
    }

    public static Map<String, MonthlyRollup> latestOfMonth(String bootstrap, String registryUrl, String topic, String month,
                                                           Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "costline-report");
        Instant deadline = Instant.now().plus(timeout);
        Map<String, MonthlyRollup> latest = new HashMap<>();
        String prefix = month + "|";
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
             AvroDeserializer<MonthlyRollup> values = new AvroDeserializer<>(
                     costline.schemas.registry.SchemaRegistries.forUrl(registryUrl), MonthlyRollup.class)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            if (partitions.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist on " + bootstrap);
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("reading " + topic + " did not reach its end within " + timeout
                            + "; raise --timeout");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key() == null || !r.key().startsWith(prefix)) {
                        continue;
                    }
                    if (r.value() == null) {
                        latest.remove(r.key());
                    } else {
                        latest.put(r.key(), values.deserialize(topic, r.value()));
                    }
                }
            }
        }
        return latest;
    }
}
