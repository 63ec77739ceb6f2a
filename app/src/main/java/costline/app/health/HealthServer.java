package costline.app.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * /healthz, /readyz and /metrics of a long-running command, on one port (JDK's HTTP server, one thread).
 *
 * <ul>
 *   <li>/healthz: 200 while the command works, 503 when it is broken beyond repair (a Kubernetes liveness probe
 *       restarts it);</li>
 *   <li>/readyz: 503 until the command is ready (the collector has published its first round, the Streams apps are
 *       RUNNING, the sink has polled), then 200; the body says why;</li>
 *   <li>/metrics: the registry in the Prometheus text format (version 0.0.4).</li>
 * </ul>
 */
public final class HealthServer implements AutoCloseable {

    /** A probe's answer; {@code detail} is the body, a line for the operator. */
    public record Check(boolean ok, String detail) {

        public static Check ok(String detail) {
            return new Check(true, detail);
        }

        public static Check notYet(String detail) {
            return new Check(false, detail);
        }
    }

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private HealthServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Serves on {@code host:port} (port 0: any free port, see {@link #port()}).
     *
     * @param liveness  answers /healthz
     * @param readiness answers /readyz
     */
    public static HealthServer start(String host, int port, PrometheusMeterRegistry registry,
                                     Supplier<Check> liveness, Supplier<Check> readiness) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext("/healthz", ex -> answer(ex, liveness.get()));
        server.createContext("/readyz", ex -> answer(ex, readiness.get()));
        server.createContext("/metrics", ex -> {
            if (!"GET".equals(ex.getRequestMethod())) {
                send(ex, 405, "text/plain; charset=utf-8", "GET only\n");
                return;
            }
            send(ex, 200, PROMETHEUS_TEXT, registry.scrape());
        });
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "health-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        return new HealthServer(server, executor);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange ex, Check check) throws IOException {
        send(ex, check.ok() ? 200 : 503, "text/plain; charset=utf-8", check.detail() + "\n");
    }

    private static void send(HttpExchange ex, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
