package costline.streams.finance;

import costline.events.CostRecord;
import costline.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends CostRecords that cannot be counted to a dead-letter topic, with the reason in the
 * {@link Topics#DLQ_REASON_HEADER} header, and counts them (Streams metric {@code dead-lettered-total} of the
 * node). Nothing is dropped silently: a negative cost would corrupt a month's exact totals, so it is set aside
 * for a person to look at instead.
 */
public final class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private DeadLetters() {
    }

    /** The valid records of {@code input}; the others go to {@code dlqTopic}. */
    public static KStream<String, CostRecord> splitInvalid(KStream<String, CostRecord> input, String name, String dlqTopic,
                                                           Serde<CostRecord> serde) {
        Map<String, KStream<String, CostRecord>> branches = input
                .split(Named.as(name + "-"))
                .branch((k, v) -> CostRecordCheck.reasonOf(v) != null, Branched.as("invalid"))
                .defaultBranch(Branched.as("valid"));
        branches.get(name + "-invalid")
                .processValues(() -> new Tag(name), Named.as(name + "-dead-letter-tag"))
                .to(dlqTopic, Produced.with(Serdes.String(), serde).withName(name + "-dead-letters"));
        return branches.get(name + "-valid");
    }

    private static final class Tag implements FixedKeyProcessor<String, CostRecord, CostRecord> {
        private final String name;
        private FixedKeyProcessorContext<String, CostRecord> context;
        private Sensor counted;

        Tag(String name) {
            this.name = name;
        }

        @Override
        public void init(FixedKeyProcessorContext<String, CostRecord> context) {
            this.context = context;
            this.counted = context.metrics().addRateTotalSensor("costline-finance", name, "dead-lettered",
                    Sensor.RecordingLevel.INFO);
        }

        @Override
        public void process(FixedKeyRecord<String, CostRecord> record) {
            String reason = CostRecordCheck.reasonOf(record.value());
            counted.record();
            LOG.warn("{}: dead-lettering the CostRecord keyed {}: {}", name, record.key(), reason);
            record.headers().add(Topics.DLQ_REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
            record.headers().add(Topics.DLQ_DETAIL_HEADER,
                    String.valueOf(record.value()).getBytes(StandardCharsets.UTF_8));
            context.forward(record);
        }
    }
}
