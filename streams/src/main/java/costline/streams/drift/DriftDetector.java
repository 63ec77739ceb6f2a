package costline.streams.drift;

import costline.events.Direction;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reports sustained level changes in one series and ignores spikes. Pure: no Kafka, no clock; the caller keeps
 * the {@link DetectorState} (in a state store) and feeds samples in time order.
 *
 * <p>How it decides, and why each part is there:
 * <ol>
 *   <li>Warm-up: the baseline is the median and the noise (sigma) the scaled median absolute deviation of the
 *       first samples, so a spike during warm-up does not set the baseline.</li>
 *   <li>A two-sided CUSUM on residuals against the baseline, standardised by sigma and clipped to
 *       +-clipSigma: a sustained shift of d sigma accumulates d - k per sample and crosses h after about
 *       h / (d - k) samples, while one wild reading adds at most clipSigma - k.</li>
 *   <li>The baseline is an EWMA (and sigma an EWMA of the absolute residual) that only moves while both CUSUMs
 *       are below h / 2: it follows slow noise-level wander, but freezes as soon as evidence of a change builds,
 *       so a gradual drift cannot drag the baseline along with it.</li>
 *   <li>Confirmation: an armed CUSUM fires only when the median of the last confirmSamples values has itself
 *       moved by at least max(minShiftSigma sigma, minChangePct of the baseline, the metric's minimum), and so
 *       has the median of the newer half of the window (the level reported). A spike covering fewer than half
 *       the window cannot move a median, however tall it is.</li>
 *   <li>After a detection the detector re-baselines (a new warm-up seeded with the confirmation window), so
 *       one change is reported once. A CUSUM that stays armed for rebaselineAfterSamples without a
 *       reportable shift is absorbed the same way, silently.</li>
 * </ol>
 */
public final class DriftDetector {

    /** E|X - mu| = sigma * sqrt(2 / pi) for Gaussian X. */
    private static final double ABS_DEV_PER_SIGMA = Math.sqrt(2.0 / Math.PI);
    /** sigma = 1.4826 * MAD for Gaussian X. */
    private static final double MAD_TO_SIGMA = 1.4826;

    private final DetectorParams params;
    private final MetricScale scale;
    private final double alpha;

    public DriftDetector(DetectorParams params, MetricScale scale) {
        this.params = params;
        this.scale = scale;
        this.alpha = params.alpha();
    }

    /** A fresh state for a new series. */
    public DetectorState newState() {
        DetectorState s = new DetectorState();
        s.warm = new double[params.warmupSamples()];
        s.window = new double[params.confirmSamples()];
        s.windowTimes = new long[params.confirmSamples()];
        return s;
    }

    /**
     * Feeds one sample. Returns a detection when this sample confirms a sustained change; the state is then
     * already re-baselining.
     */
    public Optional<Detection> update(DetectorState s, long timestamp, double x) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("sample at " + timestamp + " is not a finite number: " + x);
        }
        ensureSized(s);
        s.samplesSeen++;
        pushWindow(s, timestamp, x);
        if (!s.monitoring) {
            s.warm[s.warmCount++] = x;
            if (s.warmCount >= s.warm.length) {
                finishWarmup(s, timestamp);
            }
            return Optional.empty();
        }

        double sigma = sigma(s);
        double z = clip((x - s.baseline) / sigma);
        if (s.cusumUp == 0.0) {
            s.upStart = timestamp;
        }
        if (s.cusumDown == 0.0) {
            s.downStart = timestamp;
        }
        double cap = 3 * params.cusumH();
        s.cusumUp = Math.min(cap, Math.max(0.0, s.cusumUp + z - params.cusumK()));
        s.cusumDown = Math.min(cap, Math.max(0.0, s.cusumDown - z - params.cusumK()));

        boolean quiet = s.cusumUp < params.cusumH() / 2 && s.cusumDown < params.cusumH() / 2;
        if (quiet) {
            double residual = Math.min(Math.abs(x - s.baseline), params.clipSigma() * sigma);
            s.baseline += alpha * (x - s.baseline);
            s.absDev += alpha * (residual - s.absDev);
        }

        boolean armed = s.cusumUp > params.cusumH() || s.cusumDown > params.cusumH();
        if (!armed) {
            s.armedSamples = 0;
            return Optional.empty();
        }
        s.armedSamples++;
        if (s.windowCount < s.window.length) {
            return Optional.empty();
        }
        double[] all = s.windowValues();
        double windowMedian = median(all);
        double needed = Math.max(params.minShiftSigma() * sigma,
                Math.max(params.minChangePct() / 100.0 * Math.abs(s.baseline), scale.minChangeAbs()));
        Direction direction = null;
        if (s.cusumUp > params.cusumH() && windowMedian - s.baseline >= needed) {
            direction = Direction.UP;
        } else if (s.cusumDown > params.cusumH() && s.baseline - windowMedian >= needed) {
            direction = Direction.DOWN;
        }
        long started = direction == Direction.UP ? s.upStart : s.downStart;
        // The window median confirms (it ignores spikes) but straddles the change: the new level is the median
        // of what came after the estimated start, at most the newer half of the window (the start estimate can
        // be early when the CUSUM was already off zero by chance). It must show the shift too: a spike that
        // tilts the whole window's median with help from noise still leaves the newer half at the old level.
        double level = Double.NaN;
        if (direction != null) {
            double[] after = s.windowValuesSince(started);
            int half = Math.max(3, all.length / 2);
            double[] newest = after.length >= 3 && after.length < half ? after
                    : Arrays.copyOfRange(all, all.length - half, all.length);
            level = median(newest);
            double levelShift = direction == Direction.UP ? level - s.baseline : s.baseline - level;
            if (levelShift < needed) {
                direction = null;
            }
        }
        if (direction == null) {
            if (s.armedSamples >= params.rebaselineAfterSamples()) {
                rebaseline(s);
            }
            return Optional.empty();
        }
        Detection d = new Detection(s.baseline, level, direction, started, timestamp, sigma);
        s.detections++;
        rebaseline(s);
        return Optional.of(d);
    }

    /** The noise estimate in force, never below the metric's floor. */
    double sigma(DetectorState s) {
        return Math.max(s.absDev / ABS_DEV_PER_SIGMA, scale.floorFor(s.baseline));
    }

    private double clip(double z) {
        double c = params.clipSigma();
        return Math.max(-c, Math.min(c, z));
    }

    private void finishWarmup(DetectorState s, long timestamp) {
        double[] values = Arrays.copyOf(s.warm, s.warmCount);
        double med = median(values);
        double[] dev = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            dev[i] = Math.abs(values[i] - med);
        }
        s.baseline = med;
        s.absDev = MAD_TO_SIGMA * median(dev) * ABS_DEV_PER_SIGMA;
        s.monitoring = true;
        s.cusumUp = 0.0;
        s.cusumDown = 0.0;
        s.upStart = timestamp;
        s.downStart = timestamp;
        s.armedSamples = 0;
    }

    /** Starts a new warm-up from the confirmation window: the new level is already in it. */
    private void rebaseline(DetectorState s) {
        double[] recent = s.windowValues();
        s.monitoring = false;
        s.warmCount = 0;
        for (double v : recent) {
            s.warm[s.warmCount++] = v;
        }
        s.cusumUp = 0.0;
        s.cusumDown = 0.0;
        s.armedSamples = 0;
    }

    private void pushWindow(DetectorState s, long timestamp, double x) {
        s.window[s.windowPos] = x;
        s.windowTimes[s.windowPos] = timestamp;
        s.windowPos = (s.windowPos + 1) % s.window.length;
        if (s.windowCount < s.window.length) {
            s.windowCount++;
        }
    }

    /** A state written under other window sizes (settings changed between runs) restarts its warm-up. */
    private void ensureSized(DetectorState s) {
        if (s.warm.length != params.warmupSamples() || s.window.length != params.confirmSamples()
                || s.windowTimes.length != s.window.length) {
            DetectorState fresh = newState();
            s.monitoring = false;
            s.warm = fresh.warm;
            s.warmCount = 0;
            s.window = fresh.window;
            s.windowTimes = fresh.windowTimes;
            s.windowCount = 0;
            s.windowPos = 0;
            s.cusumUp = 0.0;
            s.cusumDown = 0.0;
            s.armedSamples = 0;
        }
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
    }
}
