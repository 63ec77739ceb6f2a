package costline.collectors.publish;

/**
 * Counters of a publisher since it started.
 *
 * @param accepted  samples taken into the buffer
 * @param published samples the brokers acknowledged (acks=all)
 * @param dropped   samples refused because the buffer was full
 * @param failed    samples Kafka rejected for good (e.g. too large); logged each
 * @param retried   sends repeated after a retriable failure (metadata timeout, registry down, delivery timeout)
 * @param pending   samples in the buffer now, sent or not, not yet acknowledged
 * @param refused   samples not taken because no valid GPU id, host, model or cloud placement could be made of their
 *                  names ({@link SampleNames}); logged each
 */
public record PublisherStats(long accepted, long published, long dropped, long failed, long retried, int pending,
                             long refused) {
}
