package costline.streams.drift;

import java.util.Random;
import java.util.function.IntToDoubleFunction;

/** Seeded synthetic utilization series: a level shape plus Gaussian noise, clamped to 0..100 like a real GPU. */
public final class Synthetic {

    private Synthetic() {
    }

    /** n samples of shape(i) + N(0, sigma), clamped to [0, 100]. */
    public static double[] series(long seed, int n, double sigma, IntToDoubleFunction shape) {
        Random random = new Random(seed);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = Math.max(0.0, Math.min(100.0, shape.applyAsDouble(i) + sigma * random.nextGaussian()));
        }
        return out;
    }

    /** from until sample at, then to. */
    public static IntToDoubleFunction step(double from, double to, int at) {
        return i -> i < at ? from : to;
    }

    /** from until start, a straight line to {@code to} over rampSamples, then to. */
    public static IntToDoubleFunction ramp(double from, double to, int start, int rampSamples) {
        return i -> i < start ? from
                : i >= start + rampSamples ? to
                : from + (to - from) * (i - start) / (double) rampSamples;
    }

    /** level, except spikeSamples samples at spikeLevel from sample at. */
    public static IntToDoubleFunction spike(double level, double spikeLevel, int at, int spikeSamples) {
        return i -> i >= at && i < at + spikeSamples ? spikeLevel : level;
    }
}
