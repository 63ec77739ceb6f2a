package costline.app;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.OwnedGpu;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroDeserializer;
import costline.testkit.InProcessKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code costline inventory load|show} against an in-process broker. */
class InventoryCommandTest {

    static final String REGISTRY = "mock://inventory-command-test";

    @TempDir
    Path dir;

    @Test
    void loadWritesOneRecordPerGpuStampedAtInServiceAndATombstonePerRemoval() throws Exception {
        try (InProcessKafka kafka = InProcessKafka.start()) {
            kafka.createTopics(3, Topics.GPU_SAMPLES);
            Path config = settings(kafka);
            Path file = Files.writeString(dir.resolve("inventory.yaml"), """
                    gpus:
                      - gpu_id: GPU-1
                        host: node-1
                        gpu_model: NVIDIA H100 80GB HBM3
                        in_service_from: 2026-10-01
                      - gpu_id: GPU-2
                        host: node-1
                        gpu_model: NVIDIA H100 80GB HBM3
                        in_service_from: 2026-10-05T08:00:00Z
                        retired_at: 2026-12-31
                    remove: [GPU-9]
                    """);
            String out = capture(System.out, s -> System.setOut(s), () -> assertThat(new CommandLine(new Costline())
                    .execute("inventory", "load", "--file", file.toString(), "--config", config.toString())).isZero());
            assertThat(out).contains("loaded 2 GPUs and 1 removals (3 records) into gpu.inventory");

            List<ConsumerRecord<String, byte[]>> records = readAll(kafka);
            assertThat(records).hasSize(3);
            AvroDeserializer<OwnedGpu> decoder = new AvroDeserializer<>(SchemaRegistries.forUrl(REGISTRY), OwnedGpu.class);
            ConsumerRecord<String, byte[]> second = records.stream().filter(r -> r.key().equals("GPU-2")).findFirst().orElseThrow();
            OwnedGpu gpu = decoder.deserialize(Topics.GPU_INVENTORY, second.value());
            assertThat(gpu.getRetiredAt()).isEqualTo(Instant.parse("2026-12-31T00:00:00Z"));
            // stamped at in_service_from, so the cost task takes it before the GPU's samples
            assertThat(second.timestamp()).isEqualTo(Instant.parse("2026-10-05T08:00:00Z").toEpochMilli());
            assertThat(records.stream().filter(r -> r.key().equals("GPU-9")).findFirst().orElseThrow().value()).isNull();
        }
    }

    @Test
    void loadRefusesAnInventoryTopicPartitionedUnlikeTheSamples() throws Exception {
        try (InProcessKafka kafka = InProcessKafka.start()) {
            kafka.createTopics(3, Topics.GPU_SAMPLES);
            kafka.createTopics(2, Topics.GPU_INVENTORY);
            Path config = settings(kafka);
            Path file = Files.writeString(dir.resolve("inventory.yaml"),
                    "gpus:\n  - gpu_id: GPU-1\n    host: n\n    gpu_model: H100\n    in_service_from: 2026-10-01\n");
            String err = capture(System.err, s -> System.setErr(s), () -> assertThat(new CommandLine(new Costline())
                    .execute("inventory", "load", "--file", file.toString(), "--config", config.toString())).isEqualTo(2));
            assertThat(err).contains("gpu.inventory has 2 partitions and gpu.samples 3").contains("recreate gpu.inventory with 3 partitions");
            assertThat(readAll(kafka)).isEmpty();
        }
    }

    @Test
    void showNamesTheEntryAndFieldOfAMistake() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"),
                "gpus:\n  - gpu_id: GPU-1\n    host: n\n    gpu_model: H100\n    in_service_from: yesterday\n");
        String err = capture(System.err, s -> System.setErr(s), () -> assertThat(new CommandLine(new Costline())
                .execute("inventory", "show", "--file", file.toString())).isEqualTo(2));
        assertThat(err).contains("inventory error").contains("gpus[0]").contains("'in_service_from' is 'yesterday'");
    }

    private Path settings(InProcessKafka kafka) throws Exception {
        return Files.writeString(dir.resolve("costline.properties"), "kafka.bootstrap.servers=" + kafka.bootstrapServers()
                + "\nschema.registry.url=" + REGISTRY + "\ntopics.partitions=3\n");
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(InProcessKafka kafka) {
        Properties p = kafka.clientProperties();
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.GPU_INVENTORY).stream()
                    .map(i -> new TopicPartition(Topics.GPU_INVENTORY, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            var end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private static String capture(PrintStream original, java.util.function.Consumer<PrintStream> set, Runnable r) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        set.accept(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            set.accept(original);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
