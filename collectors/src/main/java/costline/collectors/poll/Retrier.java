package costline.collectors.poll;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Backoff with jitter on top of the SDK's own retries, for every AWS poller. The SDK already retries a call a few
 * times within a second or two; when a service keeps throttling (its limits are per account and region, shared with
 * dashboards and other pollers) those retries are spent fast. This layer waits longer, exponentially,
 * with jitter so that several pollers do not retry in lock-step, and capped.
 *
 * <p>The one place that decides what is worth retrying: throttling, 5xx and network failures are; any
 * other service error (access denied, a validation error) is not and surfaces at once.
 */
public final class Retrier {

    private static final Logger LOG = LoggerFactory.getLogger(Retrier.class);

    /** Sleeps; tests pass one that records the delays instead of waiting. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final Duration base;
    private final Duration max;
    private final int maxAttempts;
    private final Sleeper sleeper;
    private final DoubleSupplier random;
    private final AtomicLong retries = new AtomicLong();

    public Retrier(Duration base, Duration max, int maxAttempts, Sleeper sleeper, DoubleSupplier random) {
        this.base = base;
        this.max = max;
        this.maxAttempts = maxAttempts;
        this.sleeper = sleeper;
        this.random = random;
    }

    public static Retrier of(Duration base, Duration max, int maxAttempts) {
        return new Retrier(base, max, maxAttempts, d -> Thread.sleep(d.toMillis()), Math::random);
    }

    /** Runs {@code call}, retrying retriable failures; rethrows the last failure when attempts run out. */
    public <T> T call(String what, Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                if (!isRetriable(e) || attempt >= maxAttempts) {
                    throw e;
                }
                Duration delay = delay(attempt);
                retries.incrementAndGet();
                LOG.warn("{} failed (attempt {} of {}): {}; retrying in {} ms", what, attempt, maxAttempts,
                        describe(e), delay.toMillis());
                try {
                    sleeper.sleep(delay);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * Delay before retry number {@code attempt} (1-based): "equal jitter", half of the capped exponential
     * step fixed and half random, so a retry never comes at once yet never all together.
     */
    public Duration delay(int attempt) {
        long step = base.toMillis() << Math.min(attempt - 1, 30);
        long capped = Math.min(Math.max(step, 0), max.toMillis());
        long half = capped / 2;
        return Duration.ofMillis(half + (long) (random.getAsDouble() * (capped - half)));
    }

    public long retries() {
        return retries.get();
    }

    public static boolean isRetriable(Throwable e) {
        if (e instanceof AwsServiceException ase) {
            return ase.isThrottlingException() || ase.statusCode() >= 500 || ase.statusCode() == 429;
        }
        return e instanceof SdkClientException;
    }

    public static String describe(Throwable e) {
        if (e instanceof AwsServiceException ase && ase.awsErrorDetails() != null) {
            return ase.awsErrorDetails().errorCode() + " (HTTP " + ase.statusCode() + "): " + ase.awsErrorDetails().errorMessage();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
