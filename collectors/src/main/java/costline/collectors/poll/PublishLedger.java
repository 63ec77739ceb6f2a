package costline.collectors.poll;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * What one region has published: a watermark, before which every period is final and never read again,
 * and for each (GPU, period) at or after it the fingerprint of the values last published. A re-read that
 * returns the same values publishes nothing; changed values publish a correction; a pair not seen yet is
 * published for the first time.
 *
 * <p>Not thread-safe: one region is polled by one thread at a time.
 */
public final class PublishLedger {

    /** What to do with a (GPU, period) just read. */
    public enum Decision { FIRST, CORRECTION, UNCHANGED }

    private Instant watermark;
    private final Map<String, Long> open;

    public PublishLedger(Instant watermark, Map<String, Long> open) {
        this.watermark = watermark;
        this.open = new HashMap<>(open);
    }

    public static PublishLedger empty() {
        return new PublishLedger(null, Map.of());
    }

    /** Start of the first period not yet final; null before the first poll. */
    public Instant watermark() {
        return watermark;
    }

    public Decision record(String gpuId, Instant periodStart, long fingerprint) {
        Long previous = open.put(key(gpuId, periodStart), fingerprint);
        if (previous == null) {
            return Decision.FIRST;
        }
        return previous == fingerprint ? Decision.UNCHANGED : Decision.CORRECTION;
    }

    public boolean published(String gpuId, Instant periodStart) {
        return open.containsKey(key(gpuId, periodStart));
    }

    /** Marks every period before {@code newWatermark} final and forgets it. */
    public void finalizeBefore(Instant newWatermark) {
        if (watermark != null && !newWatermark.isAfter(watermark)) {
            return;
        }
        long cut = newWatermark.toEpochMilli();
        open.keySet().removeIf(k -> periodOf(k) < cut);
        watermark = newWatermark;
    }

    /** A copy of the open (GPU, period) fingerprints, for the state file. */
    public Map<String, Long> openEntries() {
        return Map.copyOf(open);
    }

    public int openCount() {
        return open.size();
    }

    static String key(String gpuId, Instant periodStart) {
        return gpuId + "@" + periodStart.toEpochMilli();
    }

    private static long periodOf(String key) {
        return Long.parseLong(key.substring(key.lastIndexOf('@') + 1));
    }
}
