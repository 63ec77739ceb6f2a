package costline.streams.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import costline.events.OwnedGpu;
import costline.events.Site;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The inventory of owned GPUs as a YAML (or JSON) file: a {@code gpus:} list of entries ({@code gpu_id}, {@code host},
 * {@code gpu_model}, {@code in_service_from}, optional {@code retired_at} and {@code reference}; instants as ISO-8601
 * UTC, a bare date meaning its midnight UTC) and an optional {@code remove:} list of GPU ids taken out of the
 * inventory (tombstones). Every mistake names the entry and the field; an entry {@link InventoryRules} refuses is an
 * error here, before anything is sent.
 */
public final class InventoryFile {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> FIELDS = Set.of("gpu_id", "host", "gpu_model", "in_service_from", "retired_at", "reference");

    /** The file's entries and the GPU ids it removes. */
    public record Inventory(List<OwnedGpu> gpus, List<String> removed) {
    }

    /** A mistake in the file, naming the entry and the field. */
    public static final class InventoryFileException extends RuntimeException {
        public InventoryFileException(String message) {
            super(message);
        }
    }

    private InventoryFile() {
    }

    public static Inventory read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString());
        } catch (IOException e) {
            throw new InventoryFileException(file + ": cannot read: " + e.getMessage());
        }
    }

    public static Inventory parse(InputStream in, String origin) {
        JsonNode root;
        try {
            root = YAML.readTree(in);
        } catch (IOException e) {
            throw new InventoryFileException(origin + ": not valid YAML/JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InventoryFileException(origin + ": expected a mapping with a 'gpus' list");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("gpus") && !f.equals("remove")) {
                throw new InventoryFileException(origin + ": unknown section '" + f + "' (expected 'gpus' or 'remove')");
            }
        }
        List<OwnedGpu> gpus = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        List<JsonNode> entries = list(root, "gpus", origin);
        for (int i = 0; i < entries.size(); i++) {
            OwnedGpu gpu = entry(origin + ": gpus[" + i + "]", entries.get(i));
            if (!ids.add(gpu.getGpuId())) {
                throw new InventoryFileException(origin + ": gpus[" + i + "]: gpu_id '" + gpu.getGpuId() + "' is listed twice");
            }
            gpus.add(gpu);
        }
        List<String> removed = new ArrayList<>();
        for (JsonNode n : list(root, "remove", origin)) {
            if (!n.isTextual() || n.asText().isEmpty()) {
                throw new InventoryFileException(origin + ": remove: expected GPU ids, found " + n);
            }
            if (ids.contains(n.asText())) {
                throw new InventoryFileException(origin + ": remove: '" + n.asText() + "' is also listed under gpus");
            }
            removed.add(n.asText());
        }
        if (gpus.isEmpty() && removed.isEmpty()) {
            throw new InventoryFileException(origin + ": the inventory has no entries");
        }
        return new Inventory(gpus, removed);
    }

    private static OwnedGpu entry(String where, JsonNode n) {
        if (!n.isObject()) {
            throw new InventoryFileException(where + ": expected a mapping");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new InventoryFileException(where + ": unknown field '" + f + "' (expected one of " + new java.util.TreeSet<>(FIELDS) + ")");
            }
        }
        OwnedGpu gpu = OwnedGpu.newBuilder()
                .setGpuId(text(where, n, "gpu_id", true))
                .setHost(text(where, n, "host", true))
                .setSite(Site.ONPREM)
                .setGpuModel(text(where, n, "gpu_model", true))
                .setInServiceFrom(instant(where, n, "in_service_from", true))
                .setRetiredAt(instant(where, n, "retired_at", false))
                .setReference(text(where, n, "reference", false))
                .build();
        InventoryRules.Problem problem = InventoryRules.check(gpu.getGpuId(), gpu);
        if (problem != null) {
            throw new InventoryFileException(where + ": " + problem.detail());
        }
        return gpu;
    }

    private static String text(String where, JsonNode n, String field, boolean required) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new InventoryFileException(where + ": '" + field + "' is required");
            }
            return null;
        }
        if (!v.isValueNode()) {
            throw new InventoryFileException(where + ": '" + field + "' must be text");
        }
        return v.asText();
    }

    /** An ISO-8601 instant ("2026-10-01T08:00:00Z") or a date ("2026-10-01", its midnight UTC). */
    static Instant instant(String where, JsonNode n, String field, boolean required) {
        String v = text(where, n, field, required);
        if (v == null) {
            return null;
        }
        try {
            return v.length() == 10 ? LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new InventoryFileException(where + ": '" + field + "' is '" + v
                    + "': expected an instant in UTC such as 2026-10-01T08:00:00Z, or a date such as 2026-10-01");
        }
    }

    private static List<JsonNode> list(JsonNode root, String section, String origin) {
        JsonNode n = root.get(section);
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw new InventoryFileException(origin + ": '" + section + "' must be a list");
        }
        List<JsonNode> items = new ArrayList<>();
        n.forEach(items::add);
        return items;
    }
}
