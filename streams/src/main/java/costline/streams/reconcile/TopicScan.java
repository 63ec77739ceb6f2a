package costline.streams.reconcile;

import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroDeserializer;
import costline.streams.config.Skips;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic from the first record at or after a time to its current end, without a consumer group (nothing is
 * committed), read_committed. Reconciliation reads gpu.prices whole and gpu.samples from the month's start with it.
 */
public final class TopicScan {

    private TopicScan() {
    }

    public static <T extends SpecificRecord> int scan(Properties client, String registryUrl, String topic, Class<T> type,
                                                      Instant from, Duration timeout, Consumer<T> each) {
        return scan(client, registryUrl, topic, type, from, timeout, new Skips(topic), each);
    }

    /**
     * As above; a record that is not a {@code type} (garbage, another event's schema, null or empty) is left out and
     * counted in {@code skips} by its reason ({@link costline.streams.config.Decoding}).
     */
    public static <T extends SpecificRecord> int scan(Properties client, String registryUrl, String topic, Class<T> type,
                                                      Instant from, Duration timeout, Skips skips, Consumer<T> each) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        Instant deadline = Instant.now().plus(timeout);
        int n = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
             AvroDeserializer<T> values = new AvroDeserializer<>(SchemaRegistries.forUrl(registryUrl), type)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            if (partitions.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> times = new HashMap<>();
            partitions.forEach(tp -> times.put(tp, Math.max(0, from.toEpochMilli())));
            Map<TopicPartition, OffsetAndTimestamp> start = consumer.offsetsForTimes(times, timeout);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            for (TopicPartition tp : partitions) {
                OffsetAndTimestamp o = start.get(tp);
                consumer.seek(tp, o == null ? end.get(tp) : o.offset());
            }
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("reading " + topic + " did not reach its end within " + timeout + "; raise --timeout");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    T v = skips.decode(values, r.value());
                    if (v != null) {
                        each.accept(v);
                        n++;
                    }
                }
            }
        }
        return n;
    }
}
