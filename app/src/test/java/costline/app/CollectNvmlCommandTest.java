package costline.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.jna.Library;
import com.sun.jna.Native;
import costline.events.GpuSample;
import costline.schemas.Topics;
import costline.schemas.serde.AvroDeserializer;
import costline.schemas.serde.SerdeConfig;
import costline.testkit.InProcessKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `costline collect nvml` over the fake libnvidia-ml.so.1 (compiled here from the collectors' C source). */
class CollectNvmlCommandTest {

    interface Fake extends Library {
        void fake_reset(int count);

        int fake_set(int gpu, String field, long value);

        void fake_set_error(int gpu, String function, int code);
    }

    static Path library;

    @BeforeAll
    static void compileFake() throws Exception {
        Path source = Path.of("../collectors/src/test/c/fake_nvml.c").toAbsolutePath().normalize();
        Path dir = Files.createDirectories(Path.of("target/fake-nvml").toAbsolutePath());
        library = dir.resolve("libnvidia-ml.so.1");
        Process gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-O2", "-o", library.toString(), source.toString())
                .redirectErrorStream(true).start();
        String output = new String(gcc.getInputStream().readAllBytes());
        assertThat(gcc.waitFor()).as("gcc: " + output).isZero();
    }

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new Costline());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void onceJsonPrintsOneSamplePerGpu() throws Exception {
        Fake fake = Native.load(library.toString(), Fake.class);
        fake.fake_reset(2);
        fake.fake_set(1, "power_mw", 612_500);
        fake.fake_set_error(0, "nvmlDeviceGetPowerUsage", 3);
        Result r = run("collect", "nvml", "--once", "--json", "--nvml-library", library.toString(), "--host", "n1");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2);
        ObjectMapper mapper = new ObjectMapper();
        JsonNode first = mapper.readTree(lines.get(0));
        JsonNode second = mapper.readTree(lines.get(1));
        assertThat(first.get("host").asText()).isEqualTo("n1");
        assertThat(first.get("gpu_index").asInt()).isZero();
        assertThat(first.get("power_w").isNull()).isTrue();
        assertThat(second.get("power_w").asDouble()).isEqualTo(612.5);
        assertThat(second.get("energy_counter_mj").asLong()).isEqualTo(1_000_000L);
        assertThat(second.get("workloads").get(0).get("workload").asText()).isEqualTo("unallocated");
    }

    @Test
    void onceWithKafkaPublishesOneRoundKeyedByGpuUuid() {
        Fake fake = Native.load(library.toString(), Fake.class);
        fake.fake_reset(3);
        fake.fake_set(2, "util_gpu", 88);
        String registry = "mock://collect-nvml-command";
        try (InProcessKafka kafka = InProcessKafka.start()) {
            kafka.createTopics(1, Topics.GPU_SAMPLES);
            Result r = run("collect", "nvml", "--once", "--nvml-library", library.toString(), "--host", "n2",
                    "--bootstrap-servers", kafka.bootstrapServers(), "--schema-registry-url", registry);
            assertThat(r.code()).as(r.err()).isZero();
            Properties p = kafka.clientProperties();
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "collect-check");
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroDeserializer.class.getName());
            p.put(SerdeConfig.REGISTRY_URL, registry);
            List<ConsumerRecord<String, GpuSample>> got = new ArrayList<>();
            try (KafkaConsumer<String, GpuSample> consumer = new KafkaConsumer<>(p)) {
                consumer.subscribe(List.of(Topics.GPU_SAMPLES));
                long deadline = System.currentTimeMillis() + 30_000;
                while (got.size() < 3 && System.currentTimeMillis() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(got::add);
                }
            }
            assertThat(got).hasSize(3);
            assertThat(got).allSatisfy(rec -> {
                assertThat(rec.key()).isEqualTo(rec.value().getGpuId());
                assertThat(rec.value().getHost()).isEqualTo("n2");
            });
            assertThat(got.stream().filter(rec -> rec.value().getGpuIndex() == 2).findFirst().orElseThrow()
                    .value().getUtilGpuPct()).isEqualTo(88f);
        }
    }

    @Test
    void noNvmlLibrarySaysWhatToInstall() {
        Result r = run("collect", "nvml", "--once", "--json", "--nvml-library", "/nonexistent/libnvidia-ml.so.1");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("cannot load the NVML library").contains("Install the NVIDIA driver");
    }

    @Test
    void badSettingsNameTheOption() {
        Result noKafka = run("collect", "nvml", "--nvml-library", "x");
        assertThat(noKafka.code()).isEqualTo(2);
        assertThat(noKafka.err()).contains("--bootstrap-servers");
        Result badInterval = run("collect", "nvml", "--json", "--interval", "soon");
        assertThat(badInterval.code()).isEqualTo(2);
        assertThat(badInterval.err()).contains("not a duration");
        Result badChain = run("collect", "nvml", "--json", "--attribution-chain", "env,ldap");
        assertThat(badChain.code()).isEqualTo(2);
        assertThat(badChain.err()).contains("--attribution-chain");
        Result badMode = run("collect", "nvml", "--json", "--kubernetes", "maybe");
        assertThat(badMode.code()).isEqualTo(2);
        assertThat(badMode.err()).contains("--kubernetes 'maybe' is not one of auto, on or off");
        Result badRefresh = run("collect", "nvml", "--json", "--kubelet-refresh", "0s");
        assertThat(badRefresh.code()).isEqualTo(2);
        assertThat(badRefresh.err()).contains("--kubelet-refresh must be a positive duration");
        Result noLabel = run("collect", "nvml", "--json", "--workload-label", "");
        assertThat(noLabel.code()).isEqualTo(2);
        assertThat(noLabel.err()).contains("--workload-label is empty");
        Result badPort = run("collect", "nvml", "--json", "--health-port", "70000");
        assertThat(badPort.code()).isEqualTo(2);
        assertThat(badPort.err()).contains("--health-port 70000 is not a port");
    }

    @Test
    void collectIsAContainerListingNvml() {
        Result r = run("collect", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("nvml");
    }
}
