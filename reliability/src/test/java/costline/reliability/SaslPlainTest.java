package costline.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import costline.collectors.publish.KafkaSamplePublisher;
import costline.collectors.publish.PublisherSettings;
import costline.schemas.Topics;
import costline.streams.config.InfluxSettings;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Settings;
import costline.streams.runtime.StreamsRunner;
import costline.streams.cost.CostApp;
import costline.streams.sink.InfluxSink;
import costline.streams.sink.QuestDbTables;
import costline.embedded.EmbeddedQuestDb;
import costline.testkit.InProcessKafka;
import costline.testkit.StoreQueries;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka over SASL_PLAINTEXT with PLAIN: the publisher, the cost app and the sink, given a user's credentials through
 * their ordinary settings (the publisher's producer properties, {@code kafka.*} pass-through for Streams and the
 * sink), run the pipeline end to end; with a wrong password or an unknown user each is refused with an
 * authentication error within seconds, and a client that does not speak SASL gets no service at all.
 *
 * <p>The test kit's SASL broker sets the JVM-wide JAAS configuration, so this class runs in its own JVM (a surefire
 * execution of its own, see the module's pom). Every client here passes {@code sasl.jaas.config} itself.
 */
class SaslPlainTest {

    private static final long INTERVAL_MS = 10_000;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void appsConnectWithCredentialsAndAreRefusedWithoutThem(@TempDir Path tmp) throws Exception {
        try (InProcessKafka kafka = InProcessKafka.startSaslPlain(Map.of());
             CostPipeline pipeline = CostPipeline.start(kafka, tmp, 3)) {
            System.out.println("sasl: pipeline ready");
            kafka.createTopics(3, Topics.GPU_SINK_DLQ);
            grantPipelineAcls(kafka, InProcessKafka.SASL_USER);
            Map<String, String> user = InProcessKafka.saslPlainClientSettings(InProcessKafka.SASL_USER, InProcessKafka.SASL_USER_PASSWORD);
            Map<String, String> wrongPassword = InProcessKafka.saslPlainClientSettings(InProcessKafka.SASL_USER, "not-the-password");
            Map<String, String> unknownUser = InProcessKafka.saslPlainClientSettings("mallory", "guess");

            // Refused: the cost app stops at start-up, the publisher gives up its samples, an admin client fails.
            long refusedStart = System.nanoTime();
            assertThatThrownBy(() -> new StreamsRunner().start(Settings.of(withKafka(pipeline.settings("refused"), wrongPassword)),
                    List.of(new CostApp())))
                    .hasRootCauseInstanceOf(SaslAuthenticationException.class);
            long streamsRefusedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - refusedStart);
            // ... and leaves no client behind retrying the bad password in the background.
            Thread.sleep(500);
            assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                    .noneMatch(name -> name.contains("reliability-cost"));
            assertThat(adminFailure(kafka, unknownUser)).isInstanceOf(SaslAuthenticationException.class)
                    .hasMessageContaining("Invalid username or password");
            long publisherStart = System.nanoTime();
            KafkaSamplePublisher refused = publisher(kafka, pipeline, wrongPassword);
            refused.accept(CostPipeline.nvml("GPU-sasl-refused", Instant.now().minusSeconds(60), INTERVAL_MS, 10f, 100f, "train"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (refused.stats().failed() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            long publisherRefusedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - publisherStart);
            assertThat(refused.stats().failed()).as("sample refused for good, not published").isEqualTo(1);
            assertThat(refused.stats().published()).isZero();
            refused.close(Duration.ofSeconds(5));
            // No SASL at all: the broker answers nothing but the SASL handshake, so the client times out.
            Throwable plaintext = adminFailure(kafka, Map.of("security.protocol", "PLAINTEXT"));
            assertThat(plaintext).isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);

            System.out.println("sasl: refusals checked");
            // With the credentials: publisher -> cost app -> sink -> store.
            EmbeddedQuestDb store = EmbeddedQuestDb.start(tmp.resolve("questdb"));
            QuestDbTables.ddl().forEach(store::sql);
            Map<String, String> values = withKafka(pipeline.settings("a"), user);
            values.put("influx.url", store.url());
            values.put("influx.token", "unused-by-questdb");
            values.put("sink.topics", Topics.GPU_COST);
            values.put("sink.poll-timeout", "100ms");
            Settings settings = Settings.of(values);
            InfluxSink sink = new InfluxSink(KafkaSettings.clientProperties(settings), pipeline.registry.url(), InfluxSettings.from(settings));
            Thread sinkThread = new Thread(sink::run, "influx-sink");
            System.out.println("sasl: store up");
            try (StreamsRunner runner = CostPipeline.startCostApp(values)) {
                System.out.println("sasl: cost app running");
                sinkThread.start();
                KafkaSamplePublisher publisher = publisher(kafka, pipeline, user);
                Instant t0 = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(30));
                int n = 0;
                for (int k = 1; k <= 30; k++) {
                    for (int g = 0; g < 2; g++, n++) {
                        publisher.accept(CostPipeline.nvml("GPU-sasl-" + g, t0.plusMillis(INTERVAL_MS * k), INTERVAL_MS, 90f, 600f, "train"));
                    }
                }
                publisher.close(Duration.ofSeconds(30));
                assertThat(publisher.stats().published()).isEqualTo(n);
                long expected = n * CostPipeline.expectedNvmlMicro(INTERVAL_MS, 600f);
                assertThat(pipeline.awaitCostTotal(expected, Duration.ofSeconds(60))).isEqualTo(expected).isEqualTo(60 * 4_145L);
                StoreQueries.awaitMicro(store, "SELECT sum(cost_usd) FROM gpu_cost", expected, Duration.ofSeconds(60));
                System.out.printf("sasl: %d samples published as %s, %d micro-USD costed and in the store; wrong password "
                                + "refused the cost app in %d ms and the publisher in %d ms; plaintext client: %s%n",
                        n, InProcessKafka.SASL_USER, expected, streamsRefusedMs, publisherRefusedMs, plaintext);
            } finally {
                sink.close();
                sinkThread.join(20_000);
                sink.release();
                store.close();
            }
        }
    }

    /**
     * The broker authorizes every request (the administrator is the only super user), so the pipeline's user gets the
     * ACLs an operator would grant it: its topics, consumer groups and transactional ids, and idempotent writes.
     */
    private static void grantPipelineAcls(InProcessKafka kafka, String user) throws Exception {
        String principal = "User:" + user;
        List<AclBinding> acls = new java.util.ArrayList<>();
        for (ResourceType type : List.of(ResourceType.TOPIC, ResourceType.GROUP, ResourceType.TRANSACTIONAL_ID)) {
            acls.add(new AclBinding(new ResourcePattern(type, "*", PatternType.LITERAL),
                    new AccessControlEntry(principal, "*", AclOperation.ALL, AclPermissionType.ALLOW)));
        }
        for (AclOperation op : List.of(AclOperation.IDEMPOTENT_WRITE, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS)) {
            acls.add(new AclBinding(new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL),
                    new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
        }
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static Map<String, String> withKafka(Map<String, String> settings, Map<String, String> client) {
        Map<String, String> out = new HashMap<>(settings);
        client.forEach((k, v) -> out.put("kafka." + k, v));
        return out;
    }

    private static KafkaSamplePublisher publisher(InProcessKafka kafka, CostPipeline pipeline, Map<String, String> client) {
        return KafkaSamplePublisher.create(new PublisherSettings(kafka.bootstrapServers(), pipeline.registry.url(),
                Topics.GPU_SAMPLES, 1_000, Duration.ofSeconds(31), "collector-sasl", client));
    }

    /** What describing the cluster fails with, within 5 s. */
    private static Throwable adminFailure(InProcessKafka kafka, Map<String, String> client) throws InterruptedException {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.putAll(client);
        Admin admin = Admin.create(p);
        try {
            admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
            throw new AssertionError("the broker accepted " + client);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            return new org.apache.kafka.common.errors.TimeoutException(e);
        } finally {
            admin.close(Duration.ofSeconds(2));
        }
    }

}
