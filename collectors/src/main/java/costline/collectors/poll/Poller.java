package costline.collectors.poll;

import java.time.Duration;
import java.util.Map;

/**
 * The contract every polling collector keeps (CloudWatch metrics, AWS prices): {@link #start()} once, then
 * {@link #pollOnce()} on the cadence (or once, for {@code --once}), then {@link #close()}. A poll keeps its own
 * progress in a {@link WatermarkStore} through {@link PublishLedger}s and flushes its sink ({@link SinkFlush}) before a
 * watermark moves, so a restart neither skips nor repeats what was published. A scope that fails (a region, a price
 * source) is reported in the result and read again from its watermark at the next poll; the others go on.
 */
public interface Poller extends AutoCloseable {

    /** What one poll did: a line for the log, and the scopes that failed with their error. */
    interface Result {
        Map<String, Throwable> failures();

        String summary();
    }

    /** Discovery and other one-off preparation; failures are logged and retried at the first poll, not thrown. */
    void start();

    Result pollOnce();

    /** Time between two polls on a schedule. */
    Duration cadence();

    @Override
    void close();
}
