package costline.collectors.prices;

import costline.events.PriceEntry;

/**
 * Where the price poller hands new price versions: gpu.prices in production (keyed by price version), stdout or a
 * list in checks. A sink that buffers implements {@link java.io.Flushable}; it is flushed before a watermark moves.
 */
@FunctionalInterface
public interface PriceSink {

    void accept(PriceEntry version);
}
