package costline.streams.config;

import costline.schemas.serde.AvroDeserializer;
import costline.schemas.serde.WireFormatException;

/**
 * The one classification of an input record's value, shared by every reader of the pipeline's topics (the
 * topologies, the sink, the audit's fold, {@code report}, {@code audit}, {@code reconcile}): either the decoded event,
 * or why it is not one, as the dead-letter reason every consumer gives the same record. A reader that keeps no
 * dead-letter topic counts the reasons instead ({@link Skips}).
 *
 * <p>Reasons: {@code NULL_VALUE} (a tombstone on a topic of events), {@code EMPTY_VALUE} (no bytes), and the
 * {@link costline.schemas.serde.DecodeFailure}s {@code BAD_MAGIC_BYTE}, {@code UNKNOWN_SCHEMA_ID}, {@code CORRUPT_BODY}
 * (another event's schema, a truncated or padded body). A registry that cannot be reached is no bad record: that
 * {@link WireFormatException} is thrown, so the reader retries or fails instead of dropping a good record.
 */
public final class Decoding {

    /** Reason of a null value. */
    public static final String NULL_VALUE = "NULL_VALUE";
    /** Reason of a value of 0 bytes. */
    public static final String EMPTY_VALUE = "EMPTY_VALUE";
    /** Reason of a body that does not decode for any other cause than the wire format's. */
    public static final String CORRUPT_BODY = "CORRUPT_BODY";

    private Decoding() {
    }

    /** Why a record is not an event: the dead-letter reason and a detail for people. */
    public record Refusal(String reason, String detail) {
    }

    /** The event, or the refusal; exactly one of them is set. */
    public record Result<T>(T value, Refusal refusal) {
        public boolean refused() {
            return refusal != null;
        }
    }

    /**
     * Decodes {@code bytes} read from {@code topic}.
     *
     * @throws WireFormatException only when the schema registry could not be reached ({@link WireFormatException#retriable()})
     */
    public static <T> Result<T> decode(AvroDeserializer<T> decoder, String topic, byte[] bytes) {
        if (bytes == null) {
            return refused(NULL_VALUE, "null value (a tombstone) where every record is an event");
        }
        if (bytes.length == 0) {
            return refused(EMPTY_VALUE, "value of 0 bytes");
        }
        try {
            T value = decoder.deserialize(topic, bytes);
            return value == null ? refused(NULL_VALUE, "decodes to null") : new Result<>(value, null);
        } catch (WireFormatException e) {
            if (e.retriable()) {
                throw e; // the registry is away: a good record must not be refused for it
            }
            return refused(e.failure().name(), e.getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            return refused(CORRUPT_BODY, String.valueOf(e));
        }
    }

    private static <T> Result<T> refused(String reason, String detail) {
        return new Result<>(null, new Refusal(reason, detail));
    }
}
