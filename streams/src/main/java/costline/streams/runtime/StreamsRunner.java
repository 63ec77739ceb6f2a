package costline.streams.runtime;

import costline.streams.config.KafkaSettings;
import costline.streams.config.Setting;
import costline.streams.config.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts Streams applications (each {@link StreamsApp} as its own KafkaStreams, exactly_once_v2) and stops them
 * cleanly. A stream thread that dies on an unexpected error is replaced: it resumes from the last committed
 * transaction, so a failing dependency (the schema registry, say) is retried rather than skipped.
 */
public final class StreamsRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsRunner.class);
    /** The most partitions topics.partitions allows; gpu.cost revisions (CostRevision) fit an int up to 21,474. */
    public static final long MAX_PARTITIONS = 10_000;
    public static final Setting PARTITIONS = Setting.longValue("topics.partitions", 6, 1, MAX_PARTITIONS,
            "partitions of topics that streams run / prices load create when missing");

    private final List<KafkaStreams> running = new ArrayList<>();

    /** Every topology on the class path, by name. */
    public static List<StreamsApp> discover() {
        List<StreamsApp> apps = new ArrayList<>();
        ServiceLoader.load(StreamsApp.class).forEach(apps::add);
        return apps;
    }

    /**
     * Checks the settings against every declaration (an unknown, renamed or bad key stops start-up), builds every
     * topology (so a bad setting stops start-up before anything runs), then starts them.
     */
    public void start(Settings settings, List<StreamsApp> apps) {
        settings.check(SettingsCatalog.all(apps));
        List<KafkaStreams> built = new ArrayList<>();
        for (StreamsApp app : apps) {
            java.util.Properties props = KafkaSettings.streamsProperties(settings, app.name(), app.commitInterval(settings));
            // a record whose processing throws is dead-lettered, never retried forever (see the handler)
            props.put(org.apache.kafka.streams.StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                    DeadLetterProcessingHandler.class.getName());
            props.put(DeadLetterProcessingHandler.TOPIC_CONFIG, app.deadLetterTopic());
            KafkaStreams streams = new KafkaStreams(app.topology(settings), props);
            streams.setUncaughtExceptionHandler(e -> {
                LOG.error("stream thread of '{}' failed; replacing it, it resumes from the last commit", app.name(), e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            built.add(streams);
        }
        try {
            for (StreamsApp app : apps) {
                java.util.Map<String, String> topics = new java.util.HashMap<>(app.topics());
                topics.putIfAbsent(app.deadLetterTopic(), "delete");
                createTopics(settings, topics);
            }
            for (KafkaStreams streams : built) {
                streams.start();
                running.add(streams);
            }
        } catch (RuntimeException e) {
            // A KafkaStreams owns clients from construction on: left unclosed after a failed start (bad credentials,
            // say) their threads would keep reconnecting for the life of the process.
            for (KafkaStreams streams : built) {
                streams.close(Duration.ofSeconds(10));
            }
            running.clear();
            throw e;
        }
    }

    public List<KafkaStreams> streams() {
        return List.copyOf(running);
    }

    /** Creates missing topics with their cleanup policy; existing ones are left as they are. */
    public static void createTopics(Settings settings, Map<String, String> topics) {
        int partitions = settings.intValue(PARTITIONS);
        try (Admin admin = Admin.create(KafkaSettings.clientProperties(settings))) {
            for (Map.Entry<String, String> t : topics.entrySet()) {
                NewTopic topic = new NewTopic(t.getKey(), java.util.Optional.of(partitions), java.util.Optional.empty())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, t.getValue()));
                try {
                    admin.createTopics(List.of(topic)).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + t.getKey() + ": " + e.getCause(), e.getCause());
                    }
                }
            }
            awaitLeaders(admin, topics.keySet());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /**
     * Creation returns before every partition has a leader; a global store (or an idempotent producer) that
     * starts then sees no partitions. Wait until each partition has one, up to a minute.
     */
    private static void awaitLeaders(Admin admin, java.util.Set<String> topics) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (true) {
            try {
                boolean ready = admin.describeTopics(topics).allTopicNames().get().values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                if (ready) {
                    return;
                }
            } catch (ExecutionException notYetVisible) {
                // metadata has not reached the broker yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topics " + topics + " still have partitions without a leader after a minute");
            }
            Thread.sleep(100);
        }
    }

    @Override
    public void close() {
        for (KafkaStreams streams : running) {
            streams.close(Duration.ofSeconds(30));
        }
        running.clear();
    }
}
