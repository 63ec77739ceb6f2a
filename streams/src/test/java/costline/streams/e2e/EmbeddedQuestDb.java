package costline.streams.e2e;

import io.questdb.ServerMain;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * QuestDB embedded in the test JVM, HTTP only, on 127.0.0.1 and a free port. It accepts influxdb-client-java's
 * {@code /api/v2/write} unchanged; SQL is read back with {@code GET /exec}. It can be stopped and started again on
 * the same folder and port, to test a sink while its store is down.
 */
final class EmbeddedQuestDb implements AutoCloseable {

    private final Path dir;
    private final int port;
    private ServerMain server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    EmbeddedQuestDb(Path dir) throws IOException {
        this.dir = java.nio.file.Files.createDirectories(dir);
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            this.port = s.getLocalPort();
        }
    }

    void start() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("QDB_HTTP_BIND_TO", "127.0.0.1:" + port);
        env.put("QDB_HTTP_MIN_ENABLED", "false");
        env.put("QDB_PG_ENABLED", "false");
        env.put("QDB_LINE_TCP_ENABLED", "false");
        env.put("QDB_LINE_UDP_ENABLED", "false");
        env.put("QDB_TELEMETRY_ENABLED", "false");
        env.put("QDB_SHARED_WORKER_COUNT", "1");
        server = ServerMain.create(dir.toString(), env);
        server.start();
    }

    void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Runs SQL and returns the JSON answer. */
    String sql(String query) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url() + "/exec?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(10)).GET().build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("QuestDB answered HTTP " + r.statusCode() + " to " + query + ": " + r.body());
        }
        return r.body();
    }

    @Override
    public void close() {
        stop();
    }
}
