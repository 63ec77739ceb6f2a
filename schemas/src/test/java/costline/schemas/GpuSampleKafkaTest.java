package costline.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.GpuSample;
import costline.schemas.registry.InProcessSchemaRegistryServer;
import costline.schemas.serde.AvroDeserializer;
import costline.schemas.serde.AvroSerializer;
import costline.schemas.serde.SerdeConfig;
import costline.testkit.InProcessKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GpuSamples through the serde, configured by class name as a Kafka user would, over a real broker. */
class GpuSampleKafkaTest {

    static InProcessKafka kafka;
    static InProcessSchemaRegistryServer registry;

    @BeforeAll
    static void start() {
        kafka = InProcessKafka.start();
        registry = InProcessSchemaRegistryServer.start();
    }

    @AfterAll
    static void stop() {
        registry.close();
        kafka.close();
    }

    @Test
    void samplesProducedThroughTheSerdeAreReadBackEqual() {
        kafka.createTopics(3, Topics.GPU_SAMPLES);
        List<GpuSample> sent = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            sent.add(i % 10 == 0 ? SampleEvents.cloudSample() : SampleEvents.onPremSample(i));
        }

        Properties producerProps = kafka.clientProperties();
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroSerializer.class.getName());
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producerProps.put(SerdeConfig.REGISTRY_URL, registry.url());
        try (KafkaProducer<String, GpuSample> producer = new KafkaProducer<>(producerProps)) {
            for (GpuSample sample : sent) {
                producer.send(new ProducerRecord<>(Topics.GPU_SAMPLES, sample.getGpuId(), sample));
            }
            producer.flush();
        }

        Properties consumerProps = kafka.clientProperties();
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "roundtrip");
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        consumerProps.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroDeserializer.class.getName());
        consumerProps.put(SerdeConfig.REGISTRY_URL, registry.url());
        List<GpuSample> received = new ArrayList<>();
        try (KafkaConsumer<String, GpuSample> consumer = new KafkaConsumer<>(consumerProps)) {
            consumer.subscribe(List.of(Topics.GPU_SAMPLES));
            long deadline = System.currentTimeMillis() + 30_000;
            while (received.size() < sent.size() && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, GpuSample> record : consumer.poll(Duration.ofMillis(200))) {
                    assertThat(record.key()).isEqualTo(record.value().getGpuId());
                    received.add(record.value());
                }
            }
        }
        // Per-key order is kept; across partitions it is not, so compare as multisets.
        assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(registry.store().subjects()).containsExactly(Topics.GPU_SAMPLES + "-value");
    }
}
