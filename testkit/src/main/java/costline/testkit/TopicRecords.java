package costline.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes test input to a topic and reads what a pipeline wrote as committed (read_committed) records: only what an
 * exactly-once application committed is seen, never the records of an aborted or still open transaction.
 */
public final class TopicRecords {

    private TopicRecords() {
    }

    /**
     * Every committed record of {@code topic}, from the beginning to the end offsets seen at the start (so records
     * of transactions still open are not waited for beyond {@code timeout}).
     */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(Properties clientProperties, String topic, Duration timeout) {
        return readAll(clientProperties, topic, new ByteArrayDeserializer(), new ByteArrayDeserializer(), timeout);
    }

    /** {@link #readAll(Properties, String, Duration)} with keys and values deserialized. */
    public static <K, V> List<ConsumerRecord<K, V>> readAll(Properties clientProperties, String topic, Deserializer<K> keys,
                                                            Deserializer<V> values, Duration timeout) {
        Properties c = readCommitted(clientProperties);
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(c, keys, values)) {
            List<TopicPartition> parts = consumer.partitionsFor(topic, timeout).stream()
                    .map(pi -> new TopicPartition(topic, pi.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            var end = consumer.endOffsets(parts, timeout);
            List<ConsumerRecord<K, V>> out = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline && parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    public static long count(Properties clientProperties, String topic, Duration timeout) {
        return readAll(clientProperties, topic, timeout).size();
    }

    /**
     * At least {@code expected} committed records of {@code topic} from its beginning, then whatever follows until
     * nothing comes for half a second (a record too many shows), waiting at most {@code timeout}.
     */
    public static <K, V> List<ConsumerRecord<K, V>> await(Properties clientProperties, String topic, Deserializer<K> keys,
                                                          Deserializer<V> values, int expected, Duration timeout) {
        return readUntil(clientProperties, topic, keys, values, got -> got.size() >= expected, Duration.ofMillis(500), timeout);
    }

    /**
     * Committed records of {@code topic} from its beginning, read (by a consumer group of its own) until {@code enough}
     * holds for what was read and then nothing more came for {@code quiet}, where a duplicate or a late correction would
     * show; or until {@code timeout}, with what was read by then.
     */
    public static <K, V> List<ConsumerRecord<K, V>> readUntil(Properties clientProperties, String topic, Deserializer<K> keys,
                                                              Deserializer<V> values, Predicate<List<ConsumerRecord<K, V>>> enough,
                                                              Duration quiet, Duration timeout) {
        Properties c = readCommitted(clientProperties);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<K, V>> got = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(c, keys, values)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                int before = got.size();
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
                if (quietUntil != Long.MAX_VALUE ? got.size() > before : enough.test(got)) {
                    quietUntil = System.nanoTime() + quiet.toNanos();
                }
            }
        }
        return got;
    }

    /**
     * Sends the records with an idempotent producer (acks=all), waits for every acknowledgement and returns where each
     * landed, in the order given.
     */
    public static <K, V> List<RecordMetadata> send(Properties clientProperties, Serializer<K> keys, Serializer<V> values,
                                                   List<ProducerRecord<K, V>> records) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<K, V> producer = new KafkaProducer<>(p, keys, values)) {
            List<Future<RecordMetadata>> acks = records.stream().map(producer::send).toList();
            producer.flush();
            List<RecordMetadata> landed = new ArrayList<>();
            for (Future<RecordMetadata> ack : acks) {
                landed.add(ack.get());
            }
            return landed;
        } catch (ExecutionException e) {
            throw new IllegalStateException("sending to " + records.get(0).topic() + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending", e);
        }
    }

    private static Properties readCommitted(Properties clientProperties) {
        Properties c = new Properties();
        c.putAll(clientProperties);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return c;
    }
}
