package costline.schemas.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * A registry held in memory: the store behind {@link InProcessSchemaRegistryServer}, and what a
 * {@code mock://scope} URL resolves to for tests that run without a server (TopologyTestDriver).
 * Ids are global and a schema keeps its id under every subject, as in Confluent's registry.
 */
public final class InMemorySchemaRegistry implements SchemaRegistry {

    private static final Map<String, InMemorySchemaRegistry> SCOPES = new ConcurrentHashMap<>();

    private final Map<String, Integer> idsBySchemaText = new HashMap<>();
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, List<Integer>> versionsBySubject = new HashMap<>();

    /** The registry shared by every {@code mock://scope} URL with this scope. */
    public static InMemorySchemaRegistry scope(String scope) {
        return SCOPES.computeIfAbsent(scope, s -> new InMemorySchemaRegistry());
    }

    /** Forgets a mock scope, for tests that want a fresh registry. */
    public static void dropScope(String scope) {
        SCOPES.remove(scope);
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        String text = schema.toString();
        Integer id = idsBySchemaText.get(text);
        if (id == null) {
            id = schemasById.size() + 1;
            idsBySchemaText.put(text, id);
            schemasById.put(id, schema);
        }
        List<Integer> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!versions.contains(id)) {
            versions.add(id);
        }
        return id;
    }

    @Override
    public synchronized Schema byId(int id) {
        Schema schema = schemasById.get(id);
        if (schema == null) {
            throw new SchemaNotFoundException(id);
        }
        return schema;
    }

    public synchronized List<String> subjects() {
        return new ArrayList<>(new TreeSet<>(versionsBySubject.keySet()));
    }

    /** Version numbers (1-based) of a subject; empty when the subject is unknown. */
    public synchronized List<Integer> versions(String subject) {
        List<Integer> ids = versionsBySubject.getOrDefault(subject, List.of());
        List<Integer> versions = new ArrayList<>();
        for (int v = 1; v <= ids.size(); v++) {
            versions.add(v);
        }
        return versions;
    }

    /** The schema id of a subject's version (1-based), or of its latest when {@code version} is -1. */
    public synchronized Optional<Integer> idOf(String subject, int version) {
        List<Integer> ids = versionsBySubject.getOrDefault(subject, List.of());
        if (ids.isEmpty()) {
            return Optional.empty();
        }
        int index = version == -1 ? ids.size() - 1 : version - 1;
        return index >= 0 && index < ids.size() ? Optional.of(ids.get(index)) : Optional.empty();
    }

    /** The version of {@code schema} under {@code subject}, if registered there. */
    public synchronized Optional<Integer> versionOf(String subject, Schema schema) {
        Integer id = idsBySchemaText.get(schema.toString());
        List<Integer> ids = versionsBySubject.getOrDefault(subject, List.of());
        return id == null || !ids.contains(id) ? Optional.empty() : Optional.of(ids.indexOf(id) + 1);
    }
}
