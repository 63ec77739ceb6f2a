package costline.streams.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Kafka client settings. Every {@code kafka.*} key passes through unchanged to the clients (producer, consumer,
 * admin, Streams), so SASL and SSL are configured the Kafka way: {@code kafka.security.protocol=SASL_SSL},
 * {@code kafka.sasl.mechanism}, {@code kafka.sasl.jaas.config}, {@code kafka.ssl.truststore.location}, ...
 */
public final class KafkaSettings {

    public static final Setting BOOTSTRAP = new Setting("kafka.bootstrap.servers", null,
            "Kafka brokers, host:port[,host:port] (required)");
    public static final Setting REGISTRY_URL = new Setting("schema.registry.url", null,
            "schema registry URL, http(s)://host:port, or mock://scope in tests (required)");
    public static final Setting STATE_DIR = new Setting("streams.state.dir", null,
            "folder for Kafka Streams state stores (unset: <java.io.tmpdir>/costline-streams)");
    public static final Setting THREADS = Setting.longValue("streams.num.threads", 1, 1, 64, "stream threads per topology");
    // 500 ms, not Streams' exactly-once default of 100: on the 2-core benchmark machine 100 ms commits held the cost
    // topology to about a fifth of the broker's raw throughput, 500 ms to about all of it, and output still reaches
    // the store within the 2 s latency goal (see BENCHMARKS.md).
    // Kafka's own key (streams.* passes through to Streams), so in Kafka's unit, not a duration.
    public static final Setting COMMIT_MS = Setting.longValue("streams.commit.interval.ms", 500, 1, 600_000,
            "exactly-once commit interval, ms (Kafka's key): output becomes visible at commits; 100 ms (Streams' default) cost most of the throughput in the benchmark; cost and drift commit on cost.commit-interval and drift.commit-interval instead");
    public static final Setting APP_ID_PREFIX = new Setting("streams.application.id.prefix", "costline",
            "application.id = prefix + - + topology name");

    /** Streams' producer transaction timeout under exactly-once, and the broker's default ceiling on any. */
    static final long EXACTLY_ONCE_TRANSACTION_TIMEOUT_MS = 10_000;
    static final long BROKER_MAX_TRANSACTION_TIMEOUT_MS = 900_000;

    /** What every process that talks to Kafka reads. */
    public static final List<Setting> ALL = List.of(BOOTSTRAP, REGISTRY_URL, STATE_DIR, THREADS, COMMIT_MS, APP_ID_PREFIX);

    private KafkaSettings() {
    }

    /** Plain client properties: bootstrap servers and every kafka.* pass-through key. */
    public static Properties clientProperties(Settings settings) {
        Properties props = new Properties();
        Map<String, String> passThrough = settings.withPrefix("kafka.");
        props.putAll(passThrough);
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.string(BOOTSTRAP));
        return props;
    }

    /** Properties of one Streams application that commits on {@link #COMMIT_MS}: see {@link #streamsProperties(Settings, String, Duration)}. */
    public static Properties streamsProperties(Settings settings, String topologyName) {
        return streamsProperties(settings, topologyName, null);
    }

    /** The Streams producer's transaction timeout, as Streams names it (our key: {@code streams.} + this). */
    private static final String TRANSACTION_TIMEOUT = StreamsConfig.producerPrefix(
            org.apache.kafka.clients.producer.ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);

    /** {@code streams.producer.transaction.timeout.ms} when set (ms), else null. */
    public static Duration transactionTimeout(Settings settings) {
        String v = settings.withPrefix("streams.").get(TRANSACTION_TIMEOUT);
        if (v == null) {
            return null;
        }
        try {
            return Duration.ofMillis(Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            throw new SettingsException("streams." + TRANSACTION_TIMEOUT, "'" + v + "' is not a whole number of ms",
                    "give milliseconds, e.g. 60000");
        }
    }

    /**
     * An application's default commit interval where the operator set a shorter transaction timeout: the interval
     * yields to it (Streams refuses an interval over the timeout); an interval the operator set does not.
     */
    public static Duration withinTransactionTimeout(Settings settings, Duration defaultInterval) {
        Duration timeout = transactionTimeout(settings);
        return timeout != null && timeout.compareTo(defaultInterval) < 0 ? timeout : defaultInterval;
    }

    /**
     * Properties of one Streams application: exactly_once_v2 always (totals must not change on a restart), the
     * pass-through client settings, and {@code streams.*} keys passed to Streams with the prefix removed. Every
     * exactly-once commit is a transaction (a round of requests to the broker, a marker on every partition written,
     * a flush of the task's write-back state), so an application whose output is not needed within
     * {@code streams.commit.interval.ms} commits on an interval of its own, {@code ownCommitInterval} (its own
     * validated setting; null: {@link #COMMIT_MS}), which wins over {@code streams.commit.interval.ms}.
     */
    public static Properties streamsProperties(Settings settings, String topologyName, Duration ownCommitInterval) {
        Properties props = clientProperties(settings);
        props.putAll(settings.withPrefix("streams."));
        props.remove("application.id.prefix");
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.string(APP_ID_PREFIX) + "-" + topologyName);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        String stateDir = settings.optional(STATE_DIR);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir != null ? stateDir
                : System.getProperty("java.io.tmpdir") + "/costline-streams");
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, String.valueOf(settings.intValue(THREADS)));
        long commitMs = ownCommitInterval != null ? ownCommitInterval.toMillis() : settings.longValue(COMMIT_MS);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, String.valueOf(commitMs));
        // A transaction stays open up to one commit interval, and Streams refuses an interval over the producer's
        // transaction timeout (10 s under exactly-once): a longer interval gets a timeout of twice its length, within
        // the broker's transaction.max.timeout.ms (15 min by default). streams.producer.transaction.timeout.ms overrides.
        Duration explicitTimeout = transactionTimeout(settings);
        if (explicitTimeout != null && explicitTimeout.toMillis() < commitMs) {
            // Streams would refuse to start with its own message; name our keys instead
            throw new SettingsException("streams." + TRANSACTION_TIMEOUT, "'" + explicitTimeout.toMillis() + "' ms is shorter than the "
                    + topologyName + " application's commit interval (" + commitMs + " ms): a transaction stays open a whole"
                    + " interval and would time out", "raise it to at least " + commitMs + ", or shorten the application's"
                    + " commit interval (its own *.commit-interval setting, else " + COMMIT_MS.key() + ")");
        }
        if (2 * commitMs > EXACTLY_ONCE_TRANSACTION_TIMEOUT_MS) {
            props.putIfAbsent(TRANSACTION_TIMEOUT, String.valueOf(Math.min(2 * commitMs, BROKER_MAX_TRANSACTION_TIMEOUT_MS)));
        }
        // Every application's output, changelog and repartition records go through one producer per thread: batches
        // of 64 KB (not 16), lz4-compressed (cheap on CPU; the keys and names repeat within a batch), so the broker
        // handles fewer, smaller requests. streams.producer.* settings override these.
        props.putIfAbsent(StreamsConfig.producerPrefix(org.apache.kafka.clients.producer.ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        props.putIfAbsent(StreamsConfig.producerPrefix(org.apache.kafka.clients.producer.ProducerConfig.BATCH_SIZE_CONFIG), "65536");
        return props;
    }
}
