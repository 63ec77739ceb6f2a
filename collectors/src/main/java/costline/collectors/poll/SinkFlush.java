package costline.collectors.poll;

import java.io.Flushable;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Flushes a sink that buffers, before the watermark moves: a watermark saved while samples still sit in a
 * producer's buffer would lose them in a crash. A sink that implements {@link Flushable} is flushed; others
 * are taken to have published on accept.
 */
public final class SinkFlush {

    private SinkFlush() {
    }

    public static void flush(Object sink) {
        if (sink instanceof Flushable f) {
            try {
                f.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("sink failed to flush; the watermark stays where it was", e);
            }
        }
    }
}
