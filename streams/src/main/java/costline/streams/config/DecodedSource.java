package costline.streams.config;

import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroDeserializer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Avro input topic of a topology that no record can stop: the topic is consumed as bytes and decoded inside the
 * topology, so a record that does not decode (garbage, an unknown schema id, another event's schema, a truncated
 * body), a null value (tombstone) or an empty one goes to the topology's dead-letter topic with its original key and
 * bytes, in the same exactly-once transaction as the rest of the output: once, with its reason in
 * {@link Topics#DLQ_REASON_HEADER} ({@link Decoding}'s, or the {@link Check}'s of a decoded event), its
 * detail and its origin (topic, partition, offset) in headers, and counted (Streams metrics
 * {@code dead-lettered-total} and {@code dead-lettered-<REASON>-total} of group {@code costline-input}, and a warning
 * in the log).
 *
 * <p>The only failure that stops the task is the schema registry being unreachable: that is a failing dependency,
 * not a bad record, so the task is failed, its thread replaced, and the record retried from the last commit.
 */
public final class DecodedSource {

    /**
     * The rule a decoded event must pass to go on (the samples' {@code SampleRules}, the CostRecords' check): the
     * refusal, dead-lettered with its reason like a record that does not decode, or null. {@code nowMs} is the
     * processing wall clock.
     */
    @FunctionalInterface
    public interface Check<T> {
        Decoding.Refusal check(T value, long nowMs);
    }

    /** Header with the topic, partition and offset the dead-lettered record was read from. */
    public static final String ORIGIN_HEADER = "costline.dlq.origin";
    /**
     * Header with the name of the input that refused the record (e.g. {@code rollup-costs}): rollups, alerts and
     * break-even share gpu.finance.dlq, each dead-letters a bad gpu.cost record once.
     */
    public static final String READER_HEADER = "costline.dlq.reader";
    private static final Logger LOG = LoggerFactory.getLogger(DecodedSource.class);

    private DecodedSource() {
    }

    /** A dead letter on its way to the DLQ: the original bytes and headers with the reason added. */
    private record Dead(byte[] value) {
    }

    /**
     * The decoded records of {@code topic}, keyed by the record key read as UTF-8; everything else goes to
     * {@code deadLetterTopic}. {@code name} prefixes the processor names (the source keeps the name {@code name}).
     */
    public static <T extends SpecificRecord> KStream<String, T> stream(StreamsBuilder builder, String topic, Class<T> type,
                                                                      String registryUrl, String deadLetterTopic, String name) {
        return stream(builder, topic, type, registryUrl, deadLetterTopic, name, (v, now) -> null);
    }

    /** As above, and a decoded event that {@code check} refuses goes to {@code deadLetterTopic} too, with its reason. */
    public static <T extends SpecificRecord> KStream<String, T> stream(StreamsBuilder builder, String topic, Class<T> type,
                                                                      String registryUrl, String deadLetterTopic, String name,
                                                                      Check<T> check) {
        Map<String, KStream<byte[], Object>> out = builder.stream(topic,
                        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name))
                .process(() -> new Decode<>(registryUrl, type, name, check), Named.as(name + "-decode"))
                .split(Named.as(name + "-"))
                .branch((k, v) -> v instanceof Dead, Branched.as("dead"))
                .defaultBranch(Branched.as("decoded"));
        out.get(name + "-dead")
                .mapValues(v -> ((Dead) v).value(), Named.as(name + "-dead-bytes"))
                .to(deadLetterTopic, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name + "-dead-letters"));
        @SuppressWarnings("unchecked")
        KStream<String, T> decoded = out.get(name + "-decoded")
                .map((k, v) -> KeyValue.pair(k == null ? null : new String(k, StandardCharsets.UTF_8), (T) v),
                        Named.as(name + "-decoded-records"));
        return decoded;
    }

    private static final class Decode<T extends SpecificRecord> implements Processor<byte[], byte[], byte[], Object> {
        private final AvroDeserializer<T> decoder;
        private final String topicName;
        private final String name;
        private final Check<T> check;
        private ProcessorContext<byte[], Object> context;
        private Sensor counted;
        private final Map<String, Sensor> byReason = new java.util.HashMap<>();

        Decode(String registryUrl, Class<T> type, String name, Check<T> check) {
            this.decoder = new AvroDeserializer<>(SchemaRegistries.forUrl(registryUrl), type);
            this.topicName = name;
            this.name = name;
            this.check = check;
        }

        @Override
        public void init(ProcessorContext<byte[], Object> context) {
            this.context = context;
            this.counted = context.metrics().addRateTotalSensor("costline-input", name, "dead-lettered",
                    Sensor.RecordingLevel.INFO);
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            Decoding.Result<T> decoded = Decoding.decode(decoder, topic(), record.value());
            Decoding.Refusal refusal = decoded.refused() ? decoded.refusal()
                    : check.check(decoded.value(), context.currentSystemTimeMs());
            if (refusal != null) {
                dead(record, refusal.reason(), refusal.detail());
                return;
            }
            context.forward(record.withValue(decoded.value()));
        }

        private String topic() {
            return context.recordMetadata().map(m -> m.topic()).orElse(topicName);
        }

        private void dead(Record<byte[], byte[]> record, String reason, String detail) {
            RecordHeaders headers = new RecordHeaders(record.headers().toArray());
            headers.add(Topics.DLQ_REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
            headers.add(Topics.DLQ_DETAIL_HEADER, String.valueOf(detail).getBytes(StandardCharsets.UTF_8));
            String origin = context.recordMetadata().map(m -> m.topic() + "/" + m.partition() + "@" + m.offset()).orElse("");
            headers.add(ORIGIN_HEADER, origin.getBytes(StandardCharsets.UTF_8));
            headers.add(READER_HEADER, name.getBytes(StandardCharsets.UTF_8));
            counted.record();
            byReason.computeIfAbsent(reason, r -> context.metrics().addRateTotalSensor("costline-input", name,
                    "dead-lettered-" + r, Sensor.RecordingLevel.INFO)).record();
            LOG.warn("{}: dead-lettering the record at {}: {} ({})", name, origin, reason, detail);
            context.forward(new Record<byte[], Object>(record.key(), new Dead(record.value()), record.timestamp(), headers));
        }
    }
}
