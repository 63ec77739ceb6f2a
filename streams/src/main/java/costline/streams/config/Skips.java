package costline.streams.config;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a reader without a dead-letter topic ({@code report}, {@code audit}, {@code reconcile}) left out of one topic,
 * counted by the reason a consumer with a dead-letter topic would give ({@link Decoding}, or a check of the event
 * such as {@code costline.streams.finance.CostRecordCheck}). The command prints {@link #summary()} on stderr, so a bad
 * record is never skipped silently and never stops the report.
 */
public final class Skips {

    private final String topic;
    private final Map<String, Long> byReason = new TreeMap<>();

    public Skips(String topic) {
        this.topic = topic;
    }

    public String topic() {
        return topic;
    }

    /** Decodes {@code bytes}; null (and counted) when it is not an event. */
    public <T> T decode(costline.schemas.serde.AvroDeserializer<T> decoder, byte[] bytes) {
        Decoding.Result<T> r = Decoding.decode(decoder, topic, bytes);
        if (r.refused()) {
            count(r.refusal().reason());
            return null;
        }
        return r.value();
    }

    public void count(String reason) {
        byReason.merge(reason, 1L, Long::sum);
    }

    public long total() {
        return byReason.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Reason -> records skipped, sorted by reason. */
    public Map<String, Long> byReason() {
        return Map.copyOf(byReason);
    }

    /** E.g. {@code gpu.cost: 3 records skipped (BAD_MAGIC_BYTE 2, NULL_VALUE 1)}; null when none was. */
    public String summary() {
        if (byReason.isEmpty()) {
            return null;
        }
        StringBuilder s = new StringBuilder(topic).append(": ").append(total()).append(total() == 1 ? " record" : " records")
                .append(" skipped (");
        String sep = "";
        for (Map.Entry<String, Long> e : byReason.entrySet()) {
            s.append(sep).append(e.getKey()).append(' ').append(e.getValue());
            sep = ", ";
        }
        return s.append(')').toString();
    }
}
