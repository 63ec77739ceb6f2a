package costline.collectors.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import costline.events.GpuSample;
import costline.events.Site;
import costline.events.Source;
import costline.events.WorkloadShare;
import costline.schemas.Topics;
import costline.schemas.serde.AvroDeserializer;
import costline.schemas.serde.SerdeConfig;
import costline.testkit.InProcessKafka;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The publisher against a real in-process broker, including a broker outage. */
class KafkaSamplePublisherTest {

    static GpuSample sample(String gpu, long t) {
        return GpuSample.newBuilder()
                .setSampleTime(Instant.ofEpochMilli(t)).setIntervalMs(1000).setSource(Source.NVML).setSite(Site.ONPREM)
                .setHost("node-7").setGpuId(gpu).setGpuIndex(0).setGpuModel("NVIDIA H100 80GB HBM3")
                .setUtilGpuPct(50f).setWorkloads(List.of(new WorkloadShare("a", null, 1f, null, null, null)))
                .build();
    }

    static List<ConsumerRecord<String, GpuSample>> readAll(InProcessKafka kafka, String registry, int expected,
                                                           Duration timeout) {
        Properties p = kafka.clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "check-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroDeserializer.class.getName());
        p.put(SerdeConfig.REGISTRY_URL, registry);
        List<ConsumerRecord<String, GpuSample>> out = new ArrayList<>();
        try (KafkaConsumer<String, GpuSample> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(Topics.GPU_SAMPLES));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    @Test
    @Timeout(120)
    void namesReadFromTheOutsideArriveUnderTheOneRuleAndASampleWithoutAGpuIdIsRefused() {
        String registry = "mock://publisher-names";
        GpuSample hostile = GpuSample.newBuilder(sample(" GPU-1\n", 1_000_000L)).setHost("node\\7")
                .setWorkloads(List.of(new WorkloadShare("*fleet*", "ml\r\nops", 0.25f, 11, null, null),
                        new WorkloadShare("unallocated", "ml", 0.25f, 12, null, null),
                        new WorkloadShare("job,a", null, 0.125f, 13, null, null), new WorkloadShare("job=a", null, 0.125f, 14, null, null),
                        new WorkloadShare("x".repeat(100_000), null, 0.125f, 15, null, null),
                        new WorkloadShare(" \t ", null, 0.125f, 16, null, null)))
                .build();
        GpuSample idle = sample("GPU-2", 1_000_001L);
        idle.setWorkloads(List.of(new WorkloadShare(Topics.UNALLOCATED, null, 1f, null, null, null)));
        try (InProcessKafka kafka = InProcessKafka.start()) {
            kafka.createTopics(1, Topics.GPU_SAMPLES);
            try (KafkaSamplePublisher publisher = KafkaSamplePublisher.create(
                    PublisherSettings.of(kafka.bootstrapServers(), registry, "test"))) {
                publisher.accept(hostile);
                publisher.accept(sample("\n\t ", 1_000_002L));
                publisher.accept(idle);
                publisher.close(Duration.ofSeconds(30));
                assertThat(publisher.stats().published()).isEqualTo(2);
                assertThat(publisher.stats().refused()).isEqualTo(1);
            }
            List<GpuSample> got = readAll(kafka, registry, 2, Duration.ofSeconds(30)).stream().map(ConsumerRecord::value).toList();
            assertThat(got).hasSize(2);
            GpuSample h = got.get(0);
            assertThat(h.getGpuId()).isEqualTo("GPU-1");
            assertThat(h.getHost()).isEqualTo("node_7");
            assertThat(h.getWorkloads()).containsExactly(
                    new WorkloadShare("_fleet_", "ml_ops", 0.25f, 11, null, null),
                    new WorkloadShare("unallocated_", "ml", 0.25f, 12, null, null),
                    // job,a and job=a both become job_a: one workload, shares summed, no single pid
                    new WorkloadShare("job_a", null, 0.25f, null, null, null),
                    new WorkloadShare("x".repeat(costline.schemas.Names.MAX_LENGTH), null, 0.125f, 15, null, null),
                    new WorkloadShare(SampleNames.NO_NAME, null, 0.125f, 16, null, null));
            for (WorkloadShare w : h.getWorkloads()) {
                assertThat(costline.schemas.Names.check(costline.schemas.Names.Kind.WORKLOAD, w.getWorkload())).isNull();
            }
            // the collectors' own marker of an idle GPU is no name read from outside: it passes unchanged
            assertThat(got.get(1)).isEqualTo(idle);
        }
    }

    @Test
    @Timeout(120)
    void samplesArriveKeyedByGpuIdAsAvro() {
        String registry = "mock://publisher-arrive";
        try (InProcessKafka kafka = InProcessKafka.start()) {
            kafka.createTopics(3, Topics.GPU_SAMPLES);
            List<GpuSample> sent = new ArrayList<>();
            try (KafkaSamplePublisher publisher = KafkaSamplePublisher.create(
                    PublisherSettings.of(kafka.bootstrapServers(), registry, "test"))) {
                for (int i = 0; i < 50; i++) {
                    GpuSample s = sample("GPU-" + (i % 5), 1_000_000L + i);
                    sent.add(s);
                    publisher.accept(s);
                }
                publisher.close(Duration.ofSeconds(30));
                assertThat(publisher.stats()).isEqualTo(new PublisherStats(50, 50, 0, 0, publisher.stats().retried(), 0, 0));
            }
            List<ConsumerRecord<String, GpuSample>> got = readAll(kafka, registry, 50, Duration.ofSeconds(30));
            assertThat(got).allSatisfy(r -> assertThat(r.key()).isEqualTo(r.value().getGpuId()));
            assertThat(got.stream().map(ConsumerRecord::value).toList()).containsExactlyInAnyOrderElementsOf(sent);
        }
    }

    @Test
    @Timeout(60)
    void aFullBufferDropsNewSamplesAndCountsThem() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort(); // nothing listens here once closed: Kafka is unreachable
        }
        PublisherSettings settings = PublisherSettings.of("127.0.0.1:" + deadPort, "mock://publisher-full", "test")
                .withBufferMaxSamples(5);
        KafkaSamplePublisher publisher = KafkaSamplePublisher.create(settings);
        for (int i = 0; i < 8; i++) {
            publisher.accept(sample("GPU-0", i));
        }
        PublisherStats stats = publisher.stats();
        assertThat(stats.accepted()).isEqualTo(5);
        assertThat(stats.dropped()).isEqualTo(3);
        assertThat(stats.pending()).isEqualTo(5);
        assertThat(stats.published()).isZero();
        publisher.close(Duration.ofMillis(200));
        assertThatThrownBy(() -> publisher.accept(sample("GPU-0", 9))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void badSettingsNameTheOption() {
        assertThatThrownBy(() -> PublisherSettings.of(" ", "mock://x", "c")).hasMessageContaining("--bootstrap-servers");
        assertThatThrownBy(() -> PublisherSettings.of("k:9092", null, "c")).hasMessageContaining("--schema-registry-url");
        assertThatThrownBy(() -> PublisherSettings.of("k:9092", "mock://x", "c").withBufferMaxSamples(0))
                .hasMessageContaining("--buffer-max-samples");
        assertThatThrownBy(() -> new PublisherSettings("k:9092", "mock://x", Topics.GPU_SAMPLES, 10,
                Duration.ofSeconds(5), "c", Map.of())).hasMessageContaining("--delivery-timeout");
    }

    /**
     * The broker goes away for {@link #OUTAGE} while the collector keeps producing at 10 samples a second, then comes
     * back on the same port: every sample arrives. The mechanism is the one a 5-minute outage exercises (the producer
     * holds the records and reconnects; delivery.timeout.ms of 10 min covers it); the test uses a shorter outage to
     * stay quick.
     */
    static final Duration OUTAGE = Duration.ofSeconds(20);

    @Test
    @Timeout(180)
    void anOutageOfTheBrokerLosesNoSample() throws Exception {
        String registry = "mock://publisher-outage";
        try (InProcessKafka kafka = InProcessKafka.start()) {
            kafka.createTopics(3, Topics.GPU_SAMPLES);
            List<GpuSample> sent = new ArrayList<>();
            KafkaSamplePublisher publisher = KafkaSamplePublisher.create(
                    PublisherSettings.of(kafka.bootstrapServers(), registry, "test"));
            long t = 0;
            for (int i = 0; i < 20; i++, t++) {
                sent.add(sample("GPU-" + (t % 4), t));
                publisher.accept(sent.get(sent.size() - 1));
                Thread.sleep(100);
            }
            kafka.stopBroker();
            long outageEnd = System.nanoTime() + OUTAGE.toNanos();
            while (System.nanoTime() < outageEnd) {
                sent.add(sample("GPU-" + (t % 4), t++));
                publisher.accept(sent.get(sent.size() - 1));
                Thread.sleep(100);
            }
            int duringOutage = publisher.stats().pending();
            kafka.restartBroker();
            for (int i = 0; i < 20; i++, t++) {
                sent.add(sample("GPU-" + (t % 4), t));
                publisher.accept(sent.get(sent.size() - 1));
                Thread.sleep(100);
            }
            publisher.close(Duration.ofSeconds(60));
            PublisherStats stats = publisher.stats();
            assertThat(duringOutage).as("samples held during the outage").isGreaterThan(100);
            assertThat(stats.dropped()).isZero();
            assertThat(stats.failed()).isZero();
            assertThat(stats.pending()).isZero();

            List<ConsumerRecord<String, GpuSample>> got = readAll(kafka, registry, sent.size(), Duration.ofSeconds(60));
            Set<Long> times = got.stream().map(r -> r.value().getSampleTime().toEpochMilli()).collect(Collectors.toSet());
            assertThat(times).containsAll(sent.stream().map(s -> s.getSampleTime().toEpochMilli()).toList());
            // The idempotent producer's retries across the outage wrote nothing twice.
            assertThat(got).hasSize(sent.size());
            assertThat(stats.published()).isEqualTo(sent.size());
        }
    }
}
