package costline.app.health;

import costline.app.health.HealthServer.Check;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Health of {@code streams run}. A class of its own so that the command classes never name Kafka Streams types:
 * picocli loads every command class, and the GPU bundle (scripts/build-gpu-bundle.sh) carries no Streams jar.
 */
public final class StreamsHealth {

    private StreamsHealth() {
    }

    /**
     * Binds every Streams app's client metrics (consumer lag records-lag-max, commit rates, the topologies' own
     * sensors such as dead-lettered-total, producer sends per topic including the dead-letter topics); ready when
     * every app is RUNNING, not alive when one has failed for good.
     */
    public static void watch(CommandHealth endpoint, List<KafkaStreams> streams) {
        for (KafkaStreams s : streams) {
            new KafkaStreamsMetrics(s).bindTo(endpoint.registry());
        }
        endpoint.readiness(() -> {
            String states = streams.stream().map(s -> s.state().name()).collect(Collectors.joining(","));
            return streams.stream().allMatch(s -> s.state() == KafkaStreams.State.RUNNING)
                    ? Check.ok("ready: " + states) : Check.notYet("not ready: " + states);
        });
        endpoint.liveness(() -> streams.stream().anyMatch(s -> s.state() == KafkaStreams.State.ERROR
                || s.state() == KafkaStreams.State.PENDING_ERROR)
                ? new Check(false, "a Streams app failed")
                : Check.ok("alive"));
    }
}
