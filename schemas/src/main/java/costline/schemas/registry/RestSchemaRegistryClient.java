package costline.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client for the Confluent schema registry REST API: {@code POST /subjects/{subject}/versions} to register,
 * {@code GET /schemas/ids/{id}} to fetch. Both directions are cached, so a steady producer or consumer makes
 * no calls after its first record. Network errors and 5xx answers are retried with exponential backoff.
 */
public final class RestSchemaRegistryClient implements SchemaRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(RestSchemaRegistryClient.class);
    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI baseUrl;
    private final HttpClient http;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Map<String, Map<String, Integer>> idsBySubject = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    public RestSchemaRegistryClient(String baseUrl) {
        this(baseUrl, 5, Duration.ofMillis(200));
    }

    public RestSchemaRegistryClient(String baseUrl, int maxAttempts, Duration initialBackoff) {
        String trimmed = Objects.requireNonNull(baseUrl, "baseUrl").replaceAll("/+$", "");
        this.baseUrl = URI.create(trimmed);
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Override
    public int register(String subject, Schema schema) {
        String text = schema.toString();
        Map<String, Integer> cache = idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Integer cached = cache.get(text);
        if (cached != null) {
            return cached;
        }
        String body = JSON.createObjectNode().put("schema", text).toString();
        HttpRequest request = HttpRequest.newBuilder(uri("/subjects/" + encode(subject) + "/versions"))
                .header("Content-Type", CONTENT_TYPE)
                .header("Accept", CONTENT_TYPE)
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        JsonNode answer = call(request, "register " + subject);
        int id = answer.path("id").asInt(-1);
        if (id < 0) {
            throw new RegistryUnavailableException("registry answered without an id: " + answer, null);
        }
        cache.put(text, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public Schema byId(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        HttpRequest request = HttpRequest.newBuilder(uri("/schemas/ids/" + id))
                .header("Accept", CONTENT_TYPE)
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build();
        JsonNode answer;
        try {
            answer = call(request, "fetch schema " + id);
        } catch (NotFound e) {
            throw new SchemaNotFoundException(id);
        }
        Schema schema = new Schema.Parser().parse(answer.path("schema").asText());
        schemasById.putIfAbsent(id, schema);
        return schemasById.get(id);
    }

    private JsonNode call(HttpRequest request, String what) {
        Duration backoff = initialBackoff;
        Exception last = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    return JSON.readTree(response.body());
                }
                if (status == 404) {
                    throw new NotFound();
                }
                if (status / 100 == 4) {
                    // A client error will not go away by retrying: stop with what the registry said.
                    throw new RegistryUnavailableException(what + " refused by " + baseUrl + ": HTTP " + status
                            + " " + response.body(), null);
                }
                last = new IOException("HTTP " + status + " " + response.body());
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryUnavailableException(what + " interrupted", e);
            }
            if (attempt < maxAttempts) {
                LOG.warn("{} failed (attempt {}/{}): {}; retrying in {} ms", what, attempt, maxAttempts, last,
                        backoff.toMillis());
                sleep(backoff);
                backoff = backoff.multipliedBy(2);
            }
        }
        throw new RegistryUnavailableException(what + " failed after " + maxAttempts + " attempts against "
                + baseUrl + ": " + last, last);
    }

    private URI uri(String path) {
        return URI.create(baseUrl + path);
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException("interrupted while backing off", e);
        }
    }

    /** Internal marker for a 404 answer. */
    private static final class NotFound extends RuntimeException {
        NotFound() {
            super(null, null, false, false);
        }
    }
}
