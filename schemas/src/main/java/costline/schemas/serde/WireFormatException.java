package costline.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record that is not a valid Confluent-framed Avro value. It extends Kafka's SerializationException so
 * that Kafka's own handlers see it, and carries a typed {@link DecodeFailure} so that a consumer can route
 * the record to a dead-letter topic with its reason.
 */
public class WireFormatException extends SerializationException {

    private final DecodeFailure failure;
    private final Integer schemaId;

    public WireFormatException(DecodeFailure failure, Integer schemaId, String message, Throwable cause) {
        super(failure + ": " + message, cause);
        this.failure = failure;
        this.schemaId = schemaId;
    }

    public DecodeFailure failure() {
        return failure;
    }

    /** The schema id from the header, or null when the header itself was unreadable. */
    public Integer schemaId() {
        return schemaId;
    }

    /** True when retrying later may succeed (the registry was down), false for bad bytes. */
    public boolean retriable() {
        return failure == DecodeFailure.REGISTRY_UNAVAILABLE;
    }
}
