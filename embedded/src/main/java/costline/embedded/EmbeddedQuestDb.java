package costline.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.questdb.ServerMain;
import java.io.IOException;
import java.net.InetAddress;
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
import java.util.Map;

/**
 * QuestDB embedded in this JVM: it accepts influxdb-client-java's {@code /api/v2/write} unchanged, so the sink
 * writes to it exactly as to InfluxDB 2.x, and it answers SQL on {@code /exec}. HTTP binds 127.0.0.1 on a free
 * port; the PostgreSQL and raw line-protocol listeners are off. Rows become visible after WAL apply, a short
 * delay: use {@link #awaitRows}.
 */
public final class EmbeddedQuestDb implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ServerMain server;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private EmbeddedQuestDb(ServerMain server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Starts on a free loopback port with its data under {@code dir}. */
    public static EmbeddedQuestDb start(Path dir) {
        return start(dir, 0);
    }

    public static EmbeddedQuestDb start(Path dir, int port) {
        return start(dir, port, Map.of());
    }

    /** {@code overrides}: QDB_* settings over ours (StoreWriteBench compares ours with QuestDB's defaults). */
    static EmbeddedQuestDb start(Path dir, int port, Map<String, String> overrides) {
        try {
            Files.createDirectories(dir);
            writeLogConfig(dir);
            int httpPort = port == 0 ? freePort() : port;
            Map<String, String> env = new java.util.HashMap<>(Map.of(
                    "QDB_HTTP_BIND_TO", "127.0.0.1:" + httpPort,
                    "QDB_HTTP_MIN_ENABLED", "false",
                    "QDB_PG_ENABLED", "false",
                    "QDB_LINE_TCP_ENABLED", "false",
                    "QDB_LINE_UDP_ENABLED", "false",
                    "QDB_TELEMETRY_ENABLED", "false",
                    "QDB_SHARED_WORKER_COUNT", "2",
                    // No materialized view is ever made: its refresh pool's two workers only polled for work.
                    "QDB_CAIRO_MAT_VIEW_ENABLED", "false",
                    // One table (gpu_sample) takes almost all writes, and a table is applied by one worker at a time: a
                    // second worker on a machine of 2 cores only polled, and spun on O3 tasks beside the first.
                    "QDB_WAL_APPLY_WORKER_COUNT", "1",
                    // A commit whose rows fall before the table's newest (every one here: the sink's writes overlap in
                    // time) rewrites the last partition from its first row unless the rows before the overlap reach this
                    // size, when QuestDB splits the partition and merges only the tail. At 50 MB (its default) a day of
                    // gpu_sample at 10,000 GPUs was rewritten whole on every write for its first minute, and in every
                    // test and benchmark always: most of the WAL-apply and write pools' CPU. Splits are squashed back
                    // after 20 (cairo.o3.last.partition.max.splits).
                    "QDB_CAIRO_O3_PARTITION_SPLIT_MIN_SIZE", "1M"));
            env.putAll(overrides);
            ServerMain server = ServerMain.create(dir.toString(), env);
            server.start();
            return new EmbeddedQuestDb(server, httpPort);
        } catch (IOException e) {
            throw new IllegalStateException("embedded QuestDB failed to start in " + dir + ": " + e, e);
        }
    }

    /**
     * QuestDB logs every query at INFO to stdout, which would bury the quickstart's screen: keep its whole log in
     * {@code <dir>/log/questdb.log} and nothing on stdout. An existing conf/log.conf is kept.
     */
    private static void writeLogConfig(Path dir) throws IOException {
        Path conf = Files.createDirectories(dir.resolve("conf")).resolve("log.conf");
        // QuestDB's log factory reads the file named by the system property "out" (else its built-in one).
        if (System.getProperty("out") == null) {
            System.setProperty("out", conf.toAbsolutePath().toString());
        }
        if (Files.exists(conf)) {
            return;
        }
        Path log = Files.createDirectories(dir.resolve("log")).resolve("questdb.log");
        // Only a file: QuestDB prints its ADVISORY lines (start-up banner, OS limits) to every writer whatever the
        // writer's level, and the quickstart's screen is for the quickstart.
        Files.writeString(conf, String.join("\n",
                "writers=file",
                "w.file.class=io.questdb.log.LogFileWriter",
                "w.file.location=" + log.toAbsolutePath(),
                "w.file.level=INFO,ERROR,CRITICAL,ADVISORY",
                ""));
    }

    /** Base URL for influxdb-client-java and the web console. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Runs SQL and returns QuestDB's JSON answer ({@code columns}, {@code dataset}); throws on an error answer. */
    public JsonNode sql(String query) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "/exec?query="
                            + URLEncoder.encode(query, StandardCharsets.UTF_8)))
                    .timeout(Duration.ofSeconds(30)).GET().build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(response.body());
            if (response.statusCode() != 200 || body.has("error")) {
                throw new IllegalStateException("QuestDB refused '" + query + "': " + response.body());
            }
            return body;
        } catch (IOException e) {
            throw new IllegalStateException("QuestDB query failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Whether a table exists yet (tables appear on the first write). */
    public boolean hasTable(String table) {
        JsonNode rows = sql("select table_name from tables() where table_name = '" + table.replace("'", "''") + "'");
        return rows.path("count").asLong() > 0;
    }

    /** Waits until {@code countQuery} (a {@code select count() ...}) returns at least {@code expected}. */
    public long awaitRows(String table, String countQuery, long expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long seen = -1;
        while (System.nanoTime() < deadline) {
            if (hasTable(table)) {
                seen = sql(countQuery).path("dataset").path(0).path(0).asLong();
                if (seen >= expected) {
                    return seen;
                }
            }
            sleep(100);
        }
        throw new IllegalStateException("after " + timeout + " '" + countQuery + "' gives " + seen + ", expected " + expected);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        server.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
