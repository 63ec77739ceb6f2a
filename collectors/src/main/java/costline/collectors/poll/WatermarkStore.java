package costline.collectors.poll;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Keeps each scope's {@link PublishLedger} (a CloudWatch region, a price source of a region) in a small JSON file, so a restarted poller resumes at its
 * watermark (no gap) and knows what it already published in the open periods (no double publishing).
 *
 * <p>A local file rather than a compacted Kafka topic: the poller is one process per account, the state is
 * small (late-window / period entries per GPU: 10 x 1,000 GPUs is a few hundred KB), and it must be read
 * before the first poll without a consumer catching up. It is written to a temporary file and renamed
 * atomically, so a crash mid-write leaves the previous state whole. Run the poller where this file survives
 * restarts (a volume); on ephemeral hosts a compacted topic keyed by region would be the alternative.
 */
public final class WatermarkStore {

    private static final int VERSION = 1;
    private final Path file;
    private final ObjectMapper json = new ObjectMapper();

    public WatermarkStore(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** The saved ledgers by region; empty when the file does not exist yet. */
    public Map<String, PublishLedger> load() {
        Map<String, PublishLedger> ledgers = new HashMap<>();
        if (!Files.exists(file)) {
            return ledgers;
        }
        try {
            JsonNode root = json.readTree(file.toFile());
            if (root == null || root.path("version").asInt() != VERSION) {
                throw new IllegalStateException("state-file " + file + " is not a version " + VERSION
                        + " watermark file; move it away to start afresh (the CloudWatch poller from its late window, the price poller"
                        + " from its look-back)");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = root.path("regions").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode w = e.getValue().path("watermark");
                Map<String, Long> open = new HashMap<>();
                e.getValue().path("published").fields().forEachRemaining(p -> open.put(p.getKey(), p.getValue().asLong()));
                ledgers.put(e.getKey(), new PublishLedger(w.isTextual() ? Instant.parse(w.asText()) : null, open));
            }
            return ledgers;
        } catch (IOException e) {
            throw new IllegalStateException("state-file " + file + " cannot be read (" + e.getMessage()
                    + "); fix its permissions or move it away to start from the late window", e);
        }
    }

    /** Writes every ledger, atomically. */
    public synchronized void save(Map<String, PublishLedger> ledgers) {
        ObjectNode root = json.createObjectNode();
        root.put("version", VERSION);
        ObjectNode regions = root.putObject("regions");
        ledgers.forEach((region, ledger) -> {
            ObjectNode r = regions.putObject(region);
            if (ledger.watermark() != null) {
                r.put("watermark", ledger.watermark().toString());
            }
            ObjectNode published = r.putObject("published");
            ledger.openEntries().forEach(published::put);
        });
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            json.writeValue(tmp.toFile(), root);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write state-file " + file, e);
        }
    }
}
