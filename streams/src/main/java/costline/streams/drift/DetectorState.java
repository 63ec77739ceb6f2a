package costline.streams.drift;

import java.util.Arrays;

/**
 * Everything one {@link DriftDetector} remembers about one series. Plain fields so the state store's JSON serde
 * can write it whole: the detector resumes exactly where it stopped after a restart or a rebalance.
 */
public final class DetectorState {

    /** False while learning a baseline (at start and after each detection). */
    boolean monitoring;
    /** Warm-up samples collected so far. */
    double[] warm = new double[0];
    int warmCount;

    double baseline;
    /** EWMA of the clipped absolute residual; sigma = absDev / sqrt(2/pi) for Gaussian noise. */
    double absDev;

    double cusumUp;
    double cusumDown;
    /** Time the upward (downward) CUSUM last left zero: the estimated start of a change. */
    long upStart;
    long downStart;
    /** Samples spent armed (a CUSUM over threshold) without a confirmed shift. */
    int armedSamples;

    /** Ring of the last confirmSamples values. */
    double[] window = new double[0];
    /** Timestamps of the window's values, same ring positions. */
    long[] windowTimes = new long[0];
    int windowCount;
    int windowPos;

    long samplesSeen;
    long detections;

    public boolean isMonitoring() {
        return monitoring;
    }

    public double baseline() {
        return baseline;
    }

    public long samplesSeen() {
        return samplesSeen;
    }

    public long detections() {
        return detections;
    }

    double[] windowValues() {
        double[] out = new double[windowCount];
        int start = windowCount < window.length ? 0 : windowPos;
        for (int i = 0; i < windowCount; i++) {
            out[i] = window[(start + i) % window.length];
        }
        return out;
    }

    /** Values of the window at or after {@code since}, oldest first. */
    double[] windowValuesSince(long since) {
        double[] all = new double[windowCount];
        int n = 0;
        int start = windowCount < window.length ? 0 : windowPos;
        for (int i = 0; i < windowCount; i++) {
            int at = (start + i) % window.length;
            if (windowTimes[at] >= since) {
                all[n++] = window[at];
            }
        }
        return Arrays.copyOf(all, n);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DetectorState s)) {
            return false;
        }
        return monitoring == s.monitoring && warmCount == s.warmCount && baseline == s.baseline
                && absDev == s.absDev && cusumUp == s.cusumUp && cusumDown == s.cusumDown
                && upStart == s.upStart && downStart == s.downStart && armedSamples == s.armedSamples
                && windowCount == s.windowCount && windowPos == s.windowPos && samplesSeen == s.samplesSeen
                && detections == s.detections && Arrays.equals(warm, s.warm) && Arrays.equals(window, s.window)
                && Arrays.equals(windowTimes, s.windowTimes);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(samplesSeen) * 31 + Double.hashCode(baseline);
    }
}
