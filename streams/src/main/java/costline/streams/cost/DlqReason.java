package costline.streams.cost;

/**
 * Why a sample went to gpu.samples.dlq: the value of the {@code costline.dlq.reason} header. The first five are
 * {@link costline.streams.config.Decoding}'s (the bytes are not a GpuSample), the same in every reader of gpu.samples;
 * the rest are samples that decoded but cannot be costed.
 */
public enum DlqReason {
    /** A null value (a tombstone): gpu.samples has none ({@link costline.streams.config.Decoding}). */
    NULL_VALUE,
    /** A value of 0 bytes. */
    EMPTY_VALUE,
    /** Not the Confluent magic byte. */
    BAD_MAGIC_BYTE,
    /** The schema id names no schema the registry knows. */
    UNKNOWN_SCHEMA_ID,
    /** The Avro body does not decode. */
    CORRUPT_BODY,
    /** A value outside its range: utilization outside 0..100, negative or non-finite power, NaN, a share outside
     *  0..1 or shares summing over 1, a non-positive or too long interval, a negative energy counter, power above
     *  the plausible draw of the GPU model ({@link PowerBounds}), a temperature, memory figure, SM clock or GPU index
     *  no GPU reports ({@link SampleRules}). */
    OUT_OF_RANGE,
    /** A field the cost needs is missing: a cloud sample without its placement. */
    MISSING_FIELD,
    /** A name (GPU id, host, GPU model, region, instance type or id, workload, team) that breaks the one rule for
     *  names ({@link costline.schemas.Names}): empty, too long, a character outside the rule, or a reserved name. */
    INVALID_NAME,
    /** sample_time further in the future than cost.max-future. */
    FUTURE_TIMESTAMP,
    /** sample_time further back than cost.max-age before this host's clock (a clock at 1970, an old replay). */
    PAST_TIMESTAMP,
    /** sample_time older than the de-duplication window (cost.dedup-window) behind the newest sample: it could
     *  no longer be told from a duplicate, so it is set aside for a replay rather than risk counting it twice. */
    TOO_LATE,
    /** No catalog price in force at sample_time for the sample's price key. */
    NO_PRICE
}
