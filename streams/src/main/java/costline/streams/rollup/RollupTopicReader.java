package costline.streams.rollup;

import costline.events.MonthlyRollup;
import costline.schemas.serde.AvroDeserializer;
import costline.streams.config.Skips;
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

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RollupTopicReader.class);

    private RollupTopicReader() {
    }

    public static Map<String, MonthlyRollup> latestOfMonth(String bootstrap, String registryUrl, String topic, String month,
                                                           Duration timeout) {
        Skips skips = new Skips(topic);
        Map<String, MonthlyRollup> latest = latestOfMonth(bootstrap, registryUrl, topic, month, timeout, skips);
        warn(skips);
        return latest;
    }

    /**
     * As above; a record of the month that is not a MonthlyRollup (garbage, another event's schema, an empty value)
     * is left out and counted in {@code skips} by its reason, and the key keeps its previous record.
     */
    public static Map<String, MonthlyRollup> latestOfMonth(String bootstrap, String registryUrl, String topic, String month,
                                                           Duration timeout, Skips skips) {
        Map<String, MonthlyRollup> latest = new HashMap<>();
        read(bootstrap, registryUrl, topic, month, timeout, skips, (key, value) -> {
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
        Skips skips = new Skips(topic);
        List<MonthlyRollup> all = historyOfMonth(bootstrap, registryUrl, topic, month, timeout, skips);
        warn(skips);
        return all;
    }

    /** As above, counting in {@code skips} what is not a MonthlyRollup (left out). */
    public static List<MonthlyRollup> historyOfMonth(String bootstrap, String registryUrl, String topic, String month,
                                                     Duration timeout, Skips skips) {
        List<MonthlyRollup> all = new ArrayList<>();
        read(bootstrap, registryUrl, topic, month, timeout, skips, (key, value) -> {
            if (value != null) {
                all.add(value);
            }
        });
        return all;
    }

    /**
     * Why a decoded rollup cannot be reported, or null: a zone that is no zone id ({@code INVALID_ZONE}) or a month
     * that is not YYYY-MM ({@code INVALID_MONTH}). The rollup topology never writes one; a record written by hand
     * would otherwise end the FOCUS export and the HTML report, which draw the month's days in that zone.
     */
    public static String reasonOf(MonthlyRollup r) {
        try {
            java.time.ZoneId.of(r.getZone());
        } catch (RuntimeException e) {
            return "INVALID_ZONE";
        }
        try {
            java.time.YearMonth.parse(r.getMonth());
        } catch (RuntimeException e) {
            return "INVALID_MONTH";
        }
        return null;
    }

    private static void warn(Skips skips) {
        if (skips.total() > 0) {
            LOG.warn("{}", skips.summary());
        }
    }

    private static void read(String bootstrap, String registryUrl, String topic, String month, Duration timeout,
                             Skips skips, BiConsumer<String, MonthlyRollup> each) {
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
                    if (r.value() == null) {
                        each.accept(r.key(), null); // a tombstone: the compacted topic's deletion of the key
                        continue;
                    }
                    MonthlyRollup value = skips.decode(values, r.value());
                    String invalid = value == null ? null : reasonOf(value);
                    if (invalid != null) {
                        skips.count(invalid);
                    } else if (value != null) {
                        each.accept(r.key(), value);
                    }
                }
            }
        }
    }
}
