package costline.schemas.registry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves a {@code schema.registry.url} setting to a client. One client per URL is shared in the JVM, so
 * every serializer and deserializer shares one cache. {@code mock://scope} gives an in-memory registry.
 */
public final class SchemaRegistries {

    private static final Map<String, SchemaRegistry> CLIENTS = new ConcurrentHashMap<>();

    private SchemaRegistries() {
    }

    public static SchemaRegistry forUrl(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("schema.registry.url is not set: give the registry's base URL, "
                    + "e.g. http://localhost:8081 (or mock://<scope> in tests)");
        }
        String first = url.split(",")[0].trim();
        if (first.startsWith("mock://")) {
            return InMemorySchemaRegistry.scope(first.substring("mock://".length()));
        }
        if (!first.startsWith("http://") && !first.startsWith("https://")) {
            throw new IllegalArgumentException("schema.registry.url '" + url
                    + "' is not an http(s):// or mock:// URL");
        }
        return CLIENTS.computeIfAbsent(first, RestSchemaRegistryClient::new);
    }
}
