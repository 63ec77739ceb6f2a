package costline.dashboards.influxql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway InfluxDB 1.x ({@code influxd}, Debian's {@code influxdb} package) on free loopback ports, with its
 * data in a temp dir: a real InfluxQL engine for the dashboard and alert queries. The config is the one
 * {@code influxd config} prints, with the dirs and bind addresses rewritten, so it matches the installed version.
 */
public final class InfluxQlServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final Path dir;
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private InfluxQlServer(Process process, Path dir, URI base) {
        this.process = process;
        this.dir = dir;
        this.base = base;
    }

    /** Starts influxd and waits until /ping answers; fails with the install command when influxd is missing. */
    public static InfluxQlServer start() throws IOException, InterruptedException {
        Path influxd = findInfluxd();
        Path dir = Files.createTempDirectory("costline-influxd-");
        int httpPort = freePort();
        int rpcPort = freePort();
        String config = rewriteConfig(defaultConfig(influxd), dir, httpPort, rpcPort);
        Path configFile = dir.resolve("influxd.conf");
        Files.writeString(configFile, config);
        Process p = new ProcessBuilder(influxd.toString(), "run", "-config", configFile.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("influxd.log").toFile())
                .start();
        InfluxQlServer server = new InfluxQlServer(p, dir, URI.create("http://127.0.0.1:" + httpPort));
        try {
            server.awaitPing();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    static Path findInfluxd() {
        String override = System.getenv("INFLUXD");
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override);
            if (Files.isExecutable(p)) {
                return p;
            }
            throw new IllegalStateException("INFLUXD=" + override + " is not an executable influxd");
        }
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(d, "influxd");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new IllegalStateException("influxd (InfluxDB 1.x, the InfluxQL engine the dashboard tests run every query"
                + " on) was not found on PATH. Install it: apt-get update && apt-get install -y influxdb"
                + " (or point INFLUXD at an influxd binary).");
    }

    private static String defaultConfig(Path influxd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(influxd.toString(), "config").redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("`" + influxd + " config` failed (exit " + p.exitValue() + ")");
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** Points every dir into {@code dir}, binds HTTP and RPC to loopback ports, and turns off what a test needs not. */
    static String rewriteConfig(String config, Path dir, int httpPort, int rpcPort) {
        StringBuilder out = new StringBuilder();
        String section = "";
        for (String line : config.split("\n", -1)) {
            String t = line.strip();
            if (t.startsWith("[")) {
                section = t;
            }
            String key = t.contains("=") ? t.substring(0, t.indexOf('=')).strip() : "";
            String replaced = switch (section + "|" + key) {
                case "|bind-address" -> "bind-address = \"127.0.0.1:" + rpcPort + "\"";
                case "|reporting-disabled" -> "reporting-disabled = true";
                case "[meta]|dir" -> "  dir = " + quoted(dir.resolve("meta"));
                case "[data]|dir" -> "  dir = " + quoted(dir.resolve("data"));
                case "[data]|wal-dir" -> "  wal-dir = " + quoted(dir.resolve("wal"));
                case "[data]|query-log-enabled" -> "  query-log-enabled = false";
                case "[monitor]|store-enabled" -> "  store-enabled = false";
                case "[http]|bind-address" -> "  bind-address = \"127.0.0.1:" + httpPort + "\"";
                case "[http]|log-enabled" -> "  log-enabled = false";
                case "[http]|bind-socket" -> "  bind-socket = " + quoted(dir.resolve("influxd.sock"));
                case "[retention]|enabled", "[shard-precreation]|enabled", "[continuous_queries]|enabled" ->
                        "  enabled = false";
                default -> line;
            };
            out.append(replaced).append('\n');
        }
        String result = out.toString();
        for (String required : List.of(quoted(dir.resolve("meta")), quoted(dir.resolve("wal")), "127.0.0.1:" + httpPort)) {
            if (!result.contains(required)) {
                throw new IllegalStateException("`influxd config` output has an unexpected layout: could not set "
                        + required + "\n" + config);
            }
        }
        return result;
    }

    private static String quoted(Path p) {
        return "\"" + p + "\"";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void awaitPing() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("influxd exited with " + process.exitValue() + ":\n" + logTail());
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(base.resolve("/ping"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 204) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("influxd did not answer /ping within " + START_TIMEOUT + ":\n" + logTail());
    }

    private String logTail() {
        try {
            String log = Files.readString(dir.resolve("influxd.log"));
            return log.substring(Math.max(0, log.length() - 3000));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    public void createDatabase(String db) throws IOException, InterruptedException {
        post("/query", "q=" + enc("CREATE DATABASE \"" + db + "\""), 200);
    }

    /** Writes line protocol; precision is InfluxDB 1.x's (n, u, ms, s). Fails on anything but 204. */
    public void write(String db, String precision, List<String> lines) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(base.resolve("/write?db=" + enc(db) + "&precision=" + precision))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(String.join("\n", lines))).build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 204) {
            throw new IllegalStateException("write failed: HTTP " + r.statusCode() + " " + r.body());
        }
    }

    /** Runs one InfluxQL statement; an error from the engine is thrown with the query, never returned as empty. */
    public QueryResult query(String db, String influxQl) throws IOException, InterruptedException {
        URI uri = base.resolve("/query?db=" + enc(db) + "&epoch=ms&q=" + enc(influxQl));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode root = JSON.readTree(r.body());
        if (root.has("error")) {
            throw new InfluxQlException(influxQl, root.get("error").asText());
        }
        JsonNode results = root.path("results");
        if (results.size() != 1) {
            throw new InfluxQlException(influxQl, "expected one statement result, got " + results.size());
        }
        JsonNode result = results.get(0);
        if (result.has("error")) {
            throw new InfluxQlException(influxQl, result.get("error").asText());
        }
        List<QueryResult.Series> series = new ArrayList<>();
        for (JsonNode s : result.path("series")) {
            Map<String, String> tags = new LinkedHashMap<>();
            s.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
            List<String> columns = new ArrayList<>();
            s.path("columns").forEach(c -> columns.add(c.asText()));
            List<List<Object>> values = new ArrayList<>();
            for (JsonNode row : s.path("values")) {
                List<Object> cells = new ArrayList<>();
                row.forEach(v -> cells.add(v.isNull() ? null : v.isNumber() ? v.numberValue() : v.asText()));
                values.add(cells);
            }
            series.add(new QueryResult.Series(s.path("name").asText(), tags, columns, values));
        }
        return new QueryResult(series);
    }

    private void post(String path, String form, int expected) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IllegalStateException(path + " failed: HTTP " + r.statusCode() + " " + r.body());
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
