package costline.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-compose.yml passes Debian's docker-compose 1.29 `config -q` with the documented .env.example, fails
 * naming the key when a required secret is missing, and wires health checks and dependencies.
 */
class DockerComposeConfigTest {

    record Run(int exit, String output) {
    }

    static Run compose(Path envFile, String... args) throws IOException, InterruptedException {
        Path exe = null;
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, "docker-compose"))) {
                exe = Path.of(d, "docker-compose");
                break;
            }
        }
        if (exe == null) {
            throw new IllegalStateException("docker-compose was not found on PATH; the compose check needs Debian's "
                    + "docker-compose 1.29: apt-get update && apt-get install -y docker-compose");
        }
        List<String> cmd = new ArrayList<>(List.of(exe.toString(), "--env-file", envFile.toString(),
                "-f", Provisioning.ROOT.resolve("docker-compose.yml").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(Provisioning.ROOT.toFile());
        // Only the env file decides: a developer's shell variables must not make the check pass or fail.
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> !k.equals("PATH") && !k.equals("HOME") && !k.equals("LANG"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("docker-compose config timed out");
        }
        return new Run(p.exitValue(), out);
    }

    @Test
    void composeFilePassesConfigCheckWithTheDocumentedEnv() throws Exception {
        Run r = compose(Provisioning.ROOT.resolve(".env.example"), "config", "-q");
        assertThat(r.exit()).as(r.output()).isZero();
    }

    @Test
    void aMissingSecretStopsTheStackNamingTheKey(@TempDir Path dir) throws Exception {
        Path env = dir.resolve("env");
        List<String> lines = Files.readAllLines(Provisioning.ROOT.resolve(".env.example")).stream()
                .filter(l -> !l.startsWith("INFLUX_TOKEN=")).toList();
        Files.write(env, lines);
        Run r = compose(env, "config", "-q");
        assertThat(r.exit()).isNotZero();
        assertThat(r.output()).contains("INFLUX_TOKEN");
    }

    @Test
    void servicesHaveHealthChecksAndWaitForWhatTheyNeed() throws Exception {
        assertThat(ProvisioningFilesTest.compose().has("name")).as("no top-level name: (docker-compose 1.29 rejects it)").isFalse();
        // The file as docker-compose resolves it (anchors merged, variables from .env.example).
        Run resolved = compose(Provisioning.ROOT.resolve(".env.example"), "--profile", "gpu", "--profile", "aws", "config");
        assertThat(resolved.exit()).as(resolved.output()).isZero();
        JsonNode compose = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(resolved.output());
        JsonNode services = compose.path("services");
        List<String> names = new ArrayList<>();
        services.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyInAnyOrder("kafka", "schema-registry", "influxdb", "grafana",
                "collect-nvml", "collect-cloudwatch", "prices-load", "streams", "sink");
        for (String s : names) {
            if (s.equals("prices-load")) {
                continue; // one-shot: streams waits for it to complete successfully instead
            }
            JsonNode svc = services.path(s);
            assertThat(svc.path("healthcheck").path("test").isEmpty()).as(s + " health check").isFalse();
        }
        assertThat(services.path("sink").path("depends_on").path("influxdb").path("condition").asText())
                .isEqualTo("service_healthy");
        assertThat(services.path("streams").path("depends_on").path("kafka").path("condition").asText())
                .isEqualTo("service_healthy");
        assertThat(services.path("collect-nvml").path("deploy").path("resources").path("reservations")
                .path("devices").get(0).path("driver").asText()).isEqualTo("nvidia");
        assertThat(services.path("collect-cloudwatch").path("environment").path("AWS_SECRET_ACCESS_KEY").asText())
                .isEmpty();
        assertThat(services.path("influxdb").path("environment").path("DOCKER_INFLUXDB_INIT_ADMIN_TOKEN").asText())
                .isEqualTo(Provisioning.envExample().get("INFLUX_TOKEN"));
        assertThat(services.path("sink").path("environment").path("COSTLINE_KAFKA_BOOTSTRAP_SERVERS").asText()).isEqualTo("kafka:9092");
        assertThat(services.path("sink").path("environment").path("COSTLINE_INFLUX_TOKEN").asText())
                .isEqualTo(Provisioning.envExample().get("INFLUX_TOKEN"));
        assertThat(services.path("streams").path("depends_on").path("prices-load").path("condition").asText())
                .isEqualTo("service_completed_successfully");
    }
}
