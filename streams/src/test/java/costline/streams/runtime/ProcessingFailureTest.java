package costline.streams.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import costline.schemas.Topics;
import costline.streams.config.DecodedSource;
import costline.streams.config.Setting;
import costline.streams.config.Settings;
import costline.testkit.InProcessKafka;
import costline.testkit.TopicRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A record whose processing throws, on the real in-process broker under {@link StreamsRunner} as
 * {@code costline streams run} starts every application: it is dead-lettered with its reason and original bytes,
 * and the records after it are processed. On the old runner the task failed, the replaced thread failed again on
 * the same record, and nothing after it came out.
 */
class ProcessingFailureTest {

    static final String IN = "hostile.in";
    static final String OUT = "hostile.out";
    static final String DLQ = "hostile.dlq";

    /** An application whose processing throws on the value "boom" (as a bug or a limit hit on one record would). */
    static final class Boom implements StreamsApp {
        public String name() {
            return "boom";
        }

        public Topology topology(Settings settings) {
            StreamsBuilder b = new StreamsBuilder();
            b.stream(IN, Consumed.with(Serdes.String(), Serdes.String()))
                    .mapValues(v -> {
                        if (v.equals("boom")) {
                            throw new IllegalStateException("cannot process " + v);
                        }
                        return v.toUpperCase();
                    })
                    .to(OUT, Produced.with(Serdes.String(), Serdes.String()));
            return b.build();
        }

        public Map<String, String> topics() {
            return Map.of(IN, "delete", OUT, "delete");
        }

        public String deadLetterTopic() {
            return DLQ;
        }

        public List<Setting> settings() {
            return List.of();
        }
    }

    @Test
    @Timeout(180)
    void aRecordWhoseProcessingThrowsIsDeadLetteredAndTheNextOnesAreProcessed() throws Exception {
        try (InProcessKafka kafka = InProcessKafka.start();
             StreamsRunner runner = new StreamsRunner()) {
            runner.start(StreamsOnBroker.runnerSettings(kafka, "boom", 1, Files.createTempDirectory("costline-boom"), 100),
                    List.of(new Boom()));
            TopicRecords.send(kafka.clientProperties(), new StringSerializer(), new StringSerializer(), List.of(
                    new ProducerRecord<>(IN, "a", "one"), new ProducerRecord<>(IN, "b", "boom"), new ProducerRecord<>(IN, "c", "two")));
            List<ConsumerRecord<String, String>> out = read(kafka, OUT, 2);
            assertThat(out).extracting(ConsumerRecord::value).containsExactly("ONE", "TWO");
            List<ConsumerRecord<String, String>> dead = read(kafka, DLQ, 1);
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).key()).isEqualTo("b");
            assertThat(dead.get(0).value()).isEqualTo("boom");
            assertThat(header(dead.get(0), Topics.DLQ_REASON_HEADER)).isEqualTo(DeadLetterProcessingHandler.REASON);
            assertThat(header(dead.get(0), Topics.DLQ_DETAIL_HEADER)).contains("cannot process boom");
            assertThat(header(dead.get(0), DecodedSource.ORIGIN_HEADER)).isEqualTo(IN + "/0@1");
            assertThat(DeadLetterProcessingHandler.deadLettered()).isGreaterThanOrEqualTo(1);
        }
    }

    static String header(ConsumerRecord<?, ?> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    /** At least {@code expected} committed records of a topic, waiting up to 90 s, and whatever follows within 0.5 s. */
    static List<ConsumerRecord<String, String>> read(InProcessKafka kafka, String topic, int expected) {
        return TopicRecords.await(kafka.clientProperties(), topic, new StringDeserializer(), new StringDeserializer(), expected,
                Duration.ofSeconds(90));
    }
}
