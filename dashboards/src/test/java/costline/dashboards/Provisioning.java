package costline.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import costline.dashboards.grafana.ProvisioningEnv;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The provisioning files as Grafana reads them: YAML files with environment variables expanded (from the root
 * .env.example, the documented settings), dashboard JSON as is (Grafana does not expand variables there).
 */
public final class Provisioning {

    public static final Path MODULE = Path.of("").toAbsolutePath();
    public static final Path ROOT = MODULE.getParent();
    public static final Path PROVISIONING = MODULE.resolve("grafana/provisioning");
    public static final Path DASHBOARDS = MODULE.resolve("grafana/dashboards");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();

    private Provisioning() {
    }

    /** KEY=value lines of the root .env.example. */
    public static Map<String, String> envExample() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : read(ROOT.resolve(".env.example")).split("\n")) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            int eq = t.indexOf('=');
            if (eq < 1) {
                throw new IllegalStateException(".env.example: not KEY=value: " + line);
            }
            env.put(t.substring(0, eq), t.substring(eq + 1));
        }
        return env;
    }

    /** A YAML provisioning file, raw (no expansion). */
    public static JsonNode yamlRaw(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file, e);
        }
    }

    /** A YAML provisioning file with every string expanded as Grafana does. */
    public static JsonNode yaml(Path file, Map<String, String> env) {
        return expand(yamlRaw(file), env);
    }

    public static List<Path> yamlFiles(String kind) {
        return list(PROVISIONING.resolve(kind), ".yaml");
    }

    /** Every dashboard JSON file, parsed. */
    public static Map<String, JsonNode> dashboards() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Path p : list(DASHBOARDS, ".json")) {
            try {
                JsonNode d = JSON.readTree(p.toFile());
                out.put(p.getFileName().toString(), d);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot parse " + p, e);
            }
        }
        return out;
    }

    /** Every alert rule of every group of the alerting files, expanded. */
    public static List<JsonNode> alertRules(Map<String, String> env) {
        List<JsonNode> rules = new ArrayList<>();
        for (Path p : yamlFiles("alerting")) {
            for (JsonNode g : yaml(p, env).path("groups")) {
                g.path("rules").forEach(rules::add);
            }
        }
        return rules;
    }

    private static JsonNode expand(JsonNode node, Map<String, String> env) {
        if (node.isTextual()) {
            return TextNode.valueOf(ProvisioningEnv.expand(node.asText(), env));
        }
        if (node.isObject()) {
            ObjectNode copy = JSON.createObjectNode();
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                copy.set(e.getKey(), expand(e.getValue(), env));
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JSON.createArrayNode();
            node.forEach(n -> copy.add(expand(n, env)));
            return copy;
        }
        return node;
    }

    private static List<Path> list(Path dir, String suffix) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
