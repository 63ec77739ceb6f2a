package costline.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real Kafka broker (KRaft, combined controller + broker) running in this JVM, for tests and benchmarks.
 *
 * <p>The settings are the ones that make Streams start on a single node: the bootstrap metadata version is
 * the latest production one, and the internal offsets and transaction topics have replication factor 1
 * (their defaults of 3 would leave exactly-once Streams waiting forever).
 */
public final class InProcessKafka implements AutoCloseable {

    /** The administrator the test kit's SASL/PLAIN broker knows (a super user), and one ordinary user. */
    public static final String SASL_ADMIN = JaasUtils.KAFKA_PLAIN_ADMIN;
    public static final String SASL_ADMIN_PASSWORD = JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD;
    public static final String SASL_USER = JaasUtils.KAFKA_PLAIN_USER1;
    public static final String SASL_USER_PASSWORD = JaasUtils.KAFKA_PLAIN_USER1_PASSWORD;

    private final KafkaClusterTestKit cluster;
    private final Path dataDir;
    private final Map<String, String> clientSecurity;

    private InProcessKafka(KafkaClusterTestKit cluster, Path dataDir, Map<String, String> clientSecurity) {
        this.cluster = cluster;
        this.dataDir = dataDir;
        this.clientSecurity = clientSecurity;
    }

    /** Starts a one-node cluster with the default settings. */
    public static InProcessKafka start() {
        return start(Map.of());
    }

    /** Starts a one-node cluster; {@code brokerConfig} overrides or adds broker settings. */
    public static InProcessKafka start(Map<String, ?> brokerConfig) {
        return start(brokerConfig, SecurityProtocol.PLAINTEXT);
    }

    /**
     * Starts a one-node cluster whose client listener speaks SASL_PLAINTEXT with the PLAIN mechanism; the users are
     * {@link #SASL_ADMIN} and {@link #SASL_USER}. The test kit points the JVM-wide {@code java.security.auth.login.config}
     * at a JAAS file holding the broker's section, so run such a test in a JVM of its own. {@link #clientProperties()}
     * then carries the administrator's credentials.
     */
    public static InProcessKafka startSaslPlain(Map<String, ?> brokerConfig) {
        return start(brokerConfig, SecurityProtocol.SASL_PLAINTEXT);
    }

    /** Client settings that log in over SASL_PLAINTEXT / PLAIN as {@code user}. */
    public static Map<String, String> saslPlainClientSettings(String user, String password) {
        return Map.of("security.protocol", SecurityProtocol.SASL_PLAINTEXT.name,
                "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                        + user + "\" password=\"" + password + "\";");
    }

    private static InProcessKafka start(Map<String, ?> brokerConfig, SecurityProtocol protocol) {
        try {
            Path dir = Files.createTempDirectory("costline-kafka-");
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .setBaseDirectory(dir)
                    .setBrokerSecurityProtocol(protocol)
                    // The broker registers with the controller as a client too: over SASL it is the super user,
                    // where an anonymous PLAINTEXT registration would be refused by the authorizer.
                    .setControllerSecurityProtocol(protocol)
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes)
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "3")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("transaction.state.log.num.partitions", "3")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024))
                    .setConfigProp("num.partitions", "1");
            brokerConfig.forEach(builder::setConfigProp);
            KafkaClusterTestKit cluster = builder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new InProcessKafka(cluster, dir, protocol == SecurityProtocol.SASL_PLAINTEXT
                    ? saslPlainClientSettings(SASL_ADMIN, SASL_ADMIN_PASSWORD) : Map.of());
        } catch (Exception e) {
            throw new IllegalStateException("in-process Kafka broker failed to start: " + e, e);
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** The underlying test kit, for tests that stop and start the broker. */
    public KafkaClusterTestKit cluster() {
        return cluster;
    }

    /** Admin, producer and consumer settings that reach this broker. */
    public Properties clientProperties() {
        Properties props = new Properties();
        props.putAll(cluster.clientProperties());
        props.putAll(clientSecurity);
        return props;
    }

    /**
     * Creates topics (ignoring ones that exist) and waits until every partition has a leader: an idempotent
     * producer whose first batch hits a partition without a leader can crawl for minutes otherwise.
     */
    public void createTopics(int partitions, String... topics) {
        createTopics(partitions, Map.of(), topics);
    }

    public void createTopics(int partitions, Map<String, String> topicConfig, String... topics) {
        Properties props = clientProperties();
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        try (Admin admin = Admin.create(props)) {
            List<NewTopic> requests = Arrays.stream(topics)
                    .map(t -> new NewTopic(t, partitions, (short) 1).configs(topicConfig))
                    .toList();
            try {
                admin.createTopics(requests).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            awaitLeaders(admin, Set.of(topics), Duration.ofSeconds(30));
        } catch (Exception e) {
            throw new IllegalStateException("creating topics " + Arrays.toString(topics) + " failed: " + e, e);
        }
    }

    /**
     * Waits until consumer group {@code groupId} (a Streams application's id) has committed offsets that add up to at
     * least {@code records} over the partitions of {@code topic}: under exactly-once, until the application's
     * transactions holding that many input records are committed, with the state they changed.
     */
    public void awaitCommitted(String groupId, String topic, long records, Duration timeout) {
        try (Admin admin = Admin.create(clientProperties())) {
            long deadline = System.nanoTime() + timeout.toNanos();
            long committed = 0;
            while (System.nanoTime() < deadline) {
                committed = admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get().entrySet().stream()
                        .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                        .mapToLong(e -> e.getValue().offset()).sum();
                if (committed >= records) {
                    return;
                }
                Thread.sleep(200);
            }
            throw new AssertionError(groupId + " committed " + committed + " records of " + topic + ", not " + records
                    + ", in " + timeout);
        } catch (ExecutionException e) {
            throw new IllegalStateException("reading the offsets of " + groupId + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + groupId, e);
        }
    }

    private static void awaitLeaders(Admin admin, Set<String> topics, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get();
                boolean ready = described.values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                if (ready) {
                    return;
                }
            } catch (ExecutionException notYetVisible) {
                // metadata not propagated yet: retry below
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("partitions of " + topics.stream().collect(Collectors.joining(","))
                        + " have no leader after " + timeout);
            }
            Thread.sleep(50);
        }
    }

    /**
     * Stops the broker, as in an outage: clients get connection refused. The KRaft controller of the combined node
     * keeps running, so {@link #restartBroker()} brings the same broker back with its data.
     */
    public void stopBroker() {
        for (BrokerServer broker : cluster.brokers().values()) {
            broker.shutdown();
            broker.awaitShutdown();
        }
    }

    /**
     * Starts the broker stopped by {@link #stopBroker()} again, on the same port (the test kit re-binds the port it
     * chose at start-up once its pre-bound socket is closed), so that clients reconnect with their bootstrap
     * address; returns once every partition has a leader again.
     */
    public void restartBroker() {
        for (BrokerServer broker : cluster.brokers().values()) {
            broker.startup();
        }
        Properties props = clientProperties();
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        try (Admin admin = Admin.create(props)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                try {
                    Set<String> topics = admin.listTopics().names().get();
                    awaitLeaders(admin, topics, Duration.ofSeconds(30));
                    return;
                } catch (ExecutionException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw notYet;
                    }
                    Thread.sleep(100);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("restarting the in-process broker failed: " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing in-process Kafka failed: " + e, e);
        } finally {
            deleteQuietly(dataDir);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception ignored) {
            // a temp folder left behind is harmless
        }
    }
}
