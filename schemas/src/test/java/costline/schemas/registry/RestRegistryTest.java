package costline.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import costline.events.CostRecord;
import costline.events.GpuSample;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The REST client against the in-process server, over real HTTP on loopback. */
class RestRegistryTest {

    private InProcessSchemaRegistryServer server;

    @BeforeEach
    void start() {
        server = InProcessSchemaRegistryServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void registersIdempotentlyWithGlobalIdsAndFetchesById() {
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(server.url());
        int sample = client.register("gpu.samples-value", GpuSample.getClassSchema());
        int again = new RestSchemaRegistryClient(server.url()).register("gpu.samples-value", GpuSample.getClassSchema());
        int otherSubject = client.register("mirror-value", GpuSample.getClassSchema());
        int cost = client.register("gpu.cost-value", CostRecord.getClassSchema());

        assertThat(again).isEqualTo(sample);
        assertThat(otherSubject).isEqualTo(sample);
        assertThat(cost).isNotEqualTo(sample);
        assertThat(new RestSchemaRegistryClient(server.url()).byId(cost)).isEqualTo(CostRecord.getClassSchema());
        assertThat(server.store().subjects()).containsExactly("gpu.cost-value", "gpu.samples-value", "mirror-value");
    }

    @Test
    void servesTheConfluentLookupEndpoints() throws Exception {
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(server.url());
        int id = client.register("gpu.samples-value", GpuSample.getClassSchema());
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();

        JsonNode latest = json.readTree(http.send(HttpRequest.newBuilder(
                URI.create(server.url() + "/subjects/gpu.samples-value/versions/latest")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(latest.get("id").asInt()).isEqualTo(id);
        assertThat(latest.get("version").asInt()).isEqualTo(1);

        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(
                URI.create(server.url() + "/schemas/ids/777")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json.readTree(missing.body()).get("error_code").asInt()).isEqualTo(40403);
    }

    @Test
    void cachesBothWaysSoASecondCallNeedsNoServer() {
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(server.url(), 1, Duration.ofMillis(1));
        int id = client.register("gpu.samples-value", GpuSample.getClassSchema());
        server.close();
        assertThat(client.register("gpu.samples-value", GpuSample.getClassSchema())).isEqualTo(id);
        assertThat(client.byId(id)).isEqualTo(GpuSample.getClassSchema());
        server = InProcessSchemaRegistryServer.start();
    }

    @Test
    void unknownIdIsNotFound() {
        assertThatThrownBy(() -> new RestSchemaRegistryClient(server.url()).byId(5))
                .isInstanceOf(SchemaNotFoundException.class);
    }

    @Test
    void unreachableRegistryIsRetriedThenReported() throws Exception {
        int freePort;
        try (ServerSocket socket = new ServerSocket(0)) {
            freePort = socket.getLocalPort();
        }
        RestSchemaRegistryClient client =
                new RestSchemaRegistryClient("http://127.0.0.1:" + freePort, 3, Duration.ofMillis(10));
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.byId(1))
                .isInstanceOf(RegistryUnavailableException.class)
                .hasMessageContaining("after 3 attempts");
        // Two backoffs of 10 and 20 ms were slept between the three attempts.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(30));
    }
}
