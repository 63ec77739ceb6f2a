package costline.collectors.cloudwatch;

import costline.collectors.poll.Retrier;
import static org.assertj.core.api.Assertions.assertThat;

import costline.collectors.SampleSink;
import costline.events.GpuSample;
import costline.schemas.Topics;
import costline.schemas.serde.AvroDeserializer;
import costline.schemas.serde.AvroSerializer;
import costline.schemas.serde.SerdeConfig;
import costline.testkit.InProcessKafka;
import java.io.Flushable;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The poller's samples on a real broker, keyed by gpu_id, and the correction contract: a consumer that
 * keeps the last sample per (gpu_id, sample_time) counts each GPU-minute once.
 */
class CloudWatchToKafkaTest {

    static final Instant T0 = PollerFixture.T0;

    @TempDir
    Path dir;

    /** Test adapter: a plain idempotent producer with the project's Avro serializer, flushed before watermarks move. */
    static class ProducerSink implements SampleSink, Flushable, AutoCloseable {
        final KafkaProducer<String, GpuSample> producer;

        ProducerSink(Properties props) {
            producer = new KafkaProducer<>(props);
        }

        @Override
        public void accept(GpuSample sample) {
            producer.send(new ProducerRecord<>(Topics.GPU_SAMPLES, sample.getGpuId(), sample));
        }

        @Override
        public void flush() {
            producer.flush();
        }

        @Override
        public void close() {
            producer.close();
        }
    }

    @Test
    void samplesAndCorrectionsReachGpuSamplesKeyedByGpuId() throws Exception {
        try (InProcessKafka kafka = InProcessKafka.start(); PollerFixture f = new PollerFixture(dir)) {
            kafka.createTopics(3, Topics.GPU_SAMPLES);
            f.addAgentInstances("us-east-1", 1, "p4d.24xlarge", 8, PollerFixture.FIVE, true, Map.of("workload", "train"));
            f.fill(PollerFixture.FIVE, T0, T0.plus(Duration.ofMinutes(35)));

            Properties props = kafka.clientProperties();
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroSerializer.class.getName());
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            props.put(SerdeConfig.REGISTRY_URL, "mock://cloudwatch-kafka");
            int published;
            try (ProducerSink sink = new ProducerSink(props) {
                    @Override public void accept(GpuSample s) { super.accept(s); f.published.add(s); }
                };
                 CloudWatchPoller poller = new CloudWatchPoller(f.settings("us-east-1").withMetrics(PollerFixture.FIVE),
                         sink, f.clock, new Retrier(Duration.ofMillis(10), Duration.ofMillis(50), 3, d -> { }, () -> 0.5))) {
                poller.start();
                f.clock.now = T0.plus(Duration.ofMinutes(30));
                poller.pollOnce();
                f.aws.putPoint("us-east-1", GpuMetric.UTIL_GPU.metricName(), f.gpus.get(3).dims(), T0.plus(Duration.ofMinutes(26)), 3.5);
                f.clock.now = T0.plus(Duration.ofMinutes(35));
                CloudWatchPoller.Cycle second = poller.pollOnce();
                assertThat(second.reports().get(0).corrections()).isEqualTo(1);
                published = f.published.size();
            }
            assertThat(published).isEqualTo(8 * 15 + 1);

            Properties c = kafka.clientProperties();
            c.put(ConsumerConfig.GROUP_ID_CONFIG, "cloudwatch-test");
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroDeserializer.class.getName());
            c.put(SerdeConfig.REGISTRY_URL, "mock://cloudwatch-kafka");
            List<ConsumerRecord<String, GpuSample>> records = new ArrayList<>();
            try (KafkaConsumer<String, GpuSample> consumer = new KafkaConsumer<>(c)) {
                consumer.subscribe(List.of(Topics.GPU_SAMPLES));
                long deadline = System.currentTimeMillis() + 60_000;
                while (records.size() < published && System.currentTimeMillis() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                }
            }
            assertThat(records).hasSize(published);
            assertThat(records).allSatisfy(r -> assertThat(r.key()).isEqualTo(r.value().getGpuId()));

            // Upsert by (gpu_id, sample_time), in partition order: the correction replaces the first copy.
            Map<String, GpuSample> latest = new LinkedHashMap<>();
            long rawIntervalMs = 0;
            for (var r : records) {
                latest.put(r.key() + "@" + r.value().getSampleTime(), r.value());
                rawIntervalMs += r.value().getIntervalMs();
            }
            assertThat(latest).hasSize(8 * 15);
            long gpuMs = latest.values().stream().mapToLong(GpuSample::getIntervalMs).sum();
            assertThat(gpuMs).isEqualTo(8L * 15 * 60_000);
            assertThat(rawIntervalMs).isEqualTo(gpuMs + 60_000); // what summing without dedup would double-count
            GpuSample corrected = latest.get(f.gpus.get(3).instanceId() + "/3@" + T0.plus(Duration.ofMinutes(27)));
            assertThat(corrected.getUtilGpuPct()).isEqualTo(3.5f);
        }
    }
}
