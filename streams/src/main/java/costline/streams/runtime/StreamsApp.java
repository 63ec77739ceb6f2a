package costline.streams.runtime;

import costline.streams.config.Setting;
import costline.streams.config.Settings;
import java.util.List;
import org.apache.kafka.streams.Topology;

/**
 * A topology that {@code costline streams run} can start. Implementations are found with
 * {@link java.util.ServiceLoader} (list the class in {@code META-INF/services/costline.streams.runtime.StreamsApp}),
 * so a new topology joins the command without touching it. Each runs as its own Streams application
 * ({@code <streams.application.id.prefix>-<name>}), exactly_once_v2.
 */
public interface StreamsApp {

    /** Short name: part of the application.id and of {@code streams run --topology}. */
    String name();

    /** The topology: a pure function of the settings, creating no Kafka clients. Validates its settings. */
    Topology topology(Settings settings);

    /** Topics this topology reads or writes, created (if missing) before it starts: name -> cleanup policy. */
    java.util.Map<String, String> topics();

    /**
     * Where a record whose processing throws goes ({@link DeadLetterProcessingHandler}), with its reason: the topic
     * where this topology dead-letters its input anyway.
     */
    String deadLetterTopic();

    /**
     * Every setting this topology reads, each declared once ({@link Setting}): {@code streams run} refuses keys no
     * one declared, and the settings tables of streams/README.md are checked against these.
     */
    List<Setting> settings();

    /**
     * The exactly-once commit interval of this application when it has a setting of its own (read and checked here,
     * so a bad value stops start-up naming that key), or null: {@code streams.commit.interval.ms}. See
     * {@link costline.streams.config.KafkaSettings#streamsProperties(Settings, String, java.time.Duration)}.
     */
    default java.time.Duration commitInterval(Settings settings) {
        return null;
    }
}
