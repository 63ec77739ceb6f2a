package costline.schemas.serde;

/** Why a record could not be decoded; the value of the dead-letter reason header. */
public enum DecodeFailure {
    /** Empty value, or the first byte is not the Confluent magic byte 0. */
    BAD_MAGIC_BYTE,
    /** The 4-byte schema id names no schema the registry knows. */
    UNKNOWN_SCHEMA_ID,
    /** Header fine, but the Avro body is truncated or does not match its writer schema. */
    CORRUPT_BODY,
    /** The registry could not be reached; retriable, unlike the others. */
    REGISTRY_UNAVAILABLE
}
