package costline.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Executors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A schema registry server in this JVM that speaks the part of Confluent's REST API that clients use:
 * <ul>
 *   <li>{@code POST /subjects/{subject}/versions} register, answers {@code {"id": n}}</li>
 *   <li>{@code POST /subjects/{subject}} look a schema up under a subject</li>
 *   <li>{@code GET /schemas/ids/{id}} fetch by id</li>
 *   <li>{@code GET /subjects}, {@code GET /subjects/{subject}/versions},
 *       {@code GET /subjects/{subject}/versions/{version|latest}}</li>
 * </ul>
 * Errors use Confluent's body {@code {"error_code": 40403, "message": ...}}. It serves the tests and the
 * quickstart; production runs a real registry. Bound to loopback.
 */
public final class InProcessSchemaRegistryServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final InMemorySchemaRegistry store = new InMemorySchemaRegistry();
    private final HttpServer server;

    private InProcessSchemaRegistryServer(HttpServer server) {
        this.server = server;
    }

    /** Starts on a free loopback port. */
    public static InProcessSchemaRegistryServer start() {
        return start(0);
    }

    public static InProcessSchemaRegistryServer start(int port) {
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            InProcessSchemaRegistryServer registry = new InProcessSchemaRegistryServer(http);
            http.createContext("/", registry::handle);
            http.setExecutor(Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "schema-registry-http");
                t.setDaemon(true);
                return t;
            }));
            http.start();
            return registry;
        } catch (IOException e) {
            throw new IllegalStateException("schema registry could not bind port " + port + ": " + e, e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The registry's contents, for assertions. */
    public InMemorySchemaRegistry store() {
        return store;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String[] parts = exchange.getRequestURI().getRawPath().replaceAll("^/+|/+$", "").split("/");
            String method = exchange.getRequestMethod();
            if (parts.length == 1 && parts[0].isEmpty()) {
                send(exchange, 200, JSON.createObjectNode());
            } else if (method.equals("GET") && parts.length == 3 && parts[0].equals("schemas") && parts[1].equals("ids")) {
                fetchById(exchange, parts[2]);
            } else if (parts[0].equals("subjects")) {
                subjects(exchange, method, parts);
            } else {
                error(exchange, 404, 404, "no such endpoint: " + method + " " + exchange.getRequestURI());
            }
        } catch (RuntimeException e) {
            error(exchange, 500, 50001, e.toString());
        }
    }

    private void fetchById(HttpExchange exchange, String rawId) throws IOException {
        int id;
        try {
            id = Integer.parseInt(rawId);
        } catch (NumberFormatException e) {
            error(exchange, 404, 40403, "Schema " + rawId + " not found");
            return;
        }
        try {
            send(exchange, 200, JSON.createObjectNode().put("schema", store.byId(id).toString()));
        } catch (SchemaNotFoundException e) {
            error(exchange, 404, 40403, "Schema " + id + " not found");
        }
    }

    private void subjects(HttpExchange exchange, String method, String[] parts) throws IOException {
        if (parts.length == 1 && method.equals("GET")) {
            send(exchange, 200, JSON.valueToTree(store.subjects()));
            return;
        }
        String subject = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
        if (parts.length == 2 && method.equals("POST")) {
            Schema schema = parseBody(exchange);
            if (schema == null) {
                return;
            }
            Optional<Integer> version = store.versionOf(subject, schema);
            if (version.isEmpty()) {
                error(exchange, 404, 40403, "Schema not found under subject " + subject);
                return;
            }
            send(exchange, 200, describe(subject, version.get(), store.idOf(subject, version.get()).orElseThrow()));
        } else if (parts.length == 3 && parts[2].equals("versions") && method.equals("POST")) {
            Schema schema = parseBody(exchange);
            if (schema != null) {
                send(exchange, 200, JSON.createObjectNode().put("id", store.register(subject, schema)));
            }
        } else if (parts.length == 3 && parts[2].equals("versions") && method.equals("GET")) {
            if (store.versions(subject).isEmpty()) {
                error(exchange, 404, 40401, "Subject '" + subject + "' not found.");
            } else {
                send(exchange, 200, JSON.valueToTree(store.versions(subject)));
            }
        } else if (parts.length == 4 && parts[2].equals("versions") && method.equals("GET")) {
            int version = parts[3].equals("latest") ? -1 : parseVersion(parts[3]);
            Optional<Integer> id = store.idOf(subject, version);
            if (id.isEmpty()) {
                error(exchange, 404, 40402, "Version " + parts[3] + " not found.");
                return;
            }
            int number = version == -1 ? store.versions(subject).size() : version;
            send(exchange, 200, describe(subject, number, id.get()));
        } else {
            error(exchange, 405, 405, "method not allowed: " + method + " " + exchange.getRequestURI());
        }
    }

    private static int parseVersion(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private ObjectNode describe(String subject, int version, int id) {
        return JSON.createObjectNode()
                .put("subject", subject)
                .put("version", version)
                .put("id", id)
                .put("schema", store.byId(id).toString());
    }

    private Schema parseBody(HttpExchange exchange) throws IOException {
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        String type = body.path("schemaType").asText("AVRO");
        if (!type.equals("AVRO")) {
            error(exchange, 422, 42201, "only AVRO schemas are supported, got " + type);
            return null;
        }
        try {
            return new Schema.Parser().parse(body.path("schema").asText());
        } catch (SchemaParseException e) {
            error(exchange, 422, 42201, "Invalid schema: " + e.getMessage());
            return null;
        }
    }

    private static void error(HttpExchange exchange, int status, int code, String message) throws IOException {
        send(exchange, status, JSON.createObjectNode().put("error_code", code).put("message", message));
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", RestSchemaRegistryClient.CONTENT_TYPE);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
