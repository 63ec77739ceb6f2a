package costline.streams.runtime;

import costline.streams.config.Settings;
import costline.streams.drift.DriftTopology;
import costline.testkit.InProcessKafka;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * How the Kafka tests start Streams applications on the in-process broker: under {@link StreamsRunner}, as
 * {@code costline streams run} does, or as one {@code KafkaStreams} stopped and started again within a test. The
 * topics, records and committed offsets around them are read and written with the testkit's {@code TopicRecords} and
 * {@link InProcessKafka#awaitCommitted}.
 */
public final class StreamsOnBroker {

    private StreamsOnBroker() {
    }

    /**
     * The settings {@link StreamsRunner} starts applications with: the broker, the mock schema registry
     * {@code mock://<registryScope>}, {@code partitions} per topic it creates, the state folder and the commit interval.
     */
    public static Settings runnerSettings(InProcessKafka kafka, String registryScope, int partitions, Path stateDir,
                                          long commitIntervalMs) {
        return Settings.of(Map.of("kafka.bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", "mock://" + registryScope, "topics.partitions", String.valueOf(partitions),
                "streams.state.dir", stateDir.toString(), "streams.commit.interval.ms", String.valueOf(commitIntervalMs)));
    }

    /**
     * Properties of an application (exactly_once_v2) that a test closes and starts again, its state folder possibly
     * wiped in between so that the state is restored from the changelogs.
     */
    public static Properties restartable(InProcessKafka kafka, String applicationId, Path stateDir) {
        Properties props = DriftTopology.streamsProperties(applicationId, kafka.bootstrapServers(), stateDir.toString());
        props.putAll(kafka.clientProperties());
        // The stopped instance's member is only dropped at its session timeout (Streams does not leave the group on
        // close): the broker's minimum keeps the restart quick.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "6000");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), "1000");
        return props;
    }
}
