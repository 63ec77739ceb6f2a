package costline.streams.rollup;

import costline.events.MonthlyRollup;
import costline.schemas.serde.AvroDeserializer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BiConsumer;
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
        Map<String, MonthlyRollup> latest = new HashMap<>();
        read(bootstrap, registryUrl, topic, month, timeout, (key, value) -> {
            if (value == null) {
                latest.remove(key);
            } else {
                latest.put(key, value);
            }
        });
        return latest;
    }

    /**
     * Every record of one month still on the topic, in offset order within a partition (all records of a key share
     * a partition, so a key's FINAL comes before its CORRECTIONs). The FOCUS export needs the FINAL that a later
     * CORRECTION replaces as the latest record.
     */
    public static List<MonthlyRollup> historyOfMonth(String bootstrap, String registryUrl, String topic, String month,
                                                     Duration timeout) {
        List<MonthlyRollup> all = new ArrayList<>();
        read(bootstrap, registryUrl, topic, month, timeout, (key, value) -> {
            if (value != null) {
                all.add(value);
            }
        });
        return all;
    }

    private static void read(String bootstrap, String registryUrl, String topic, String month, Duration timeout,
                             BiConsumer<String, MonthlyRollup> each) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "costline-report");
        Instant deadline = Instant.now().plus(timeout);
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
                    each.accept(r.key(), r.value() == null ? null : values.deserialize(topic, r.value()));
                }
            }
        }
    }
}
