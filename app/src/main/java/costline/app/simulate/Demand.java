package costline.app.simulate;

import java.time.Instant;
import java.util.Random;

/**
 * What a simulated workload does to one of its GPUs at a moment: whether the GPU is running at all (a cloud
 * instance that is stopped costs nothing and reports nothing) and how busy it is.
 */
@FunctionalInterface
public interface Demand {

    /** Utilization in percent (0..100) of GPU {@code slot} at {@code t}, or NaN when the GPU is not running. */
    double utilization(int slot, Instant t, Random random);

    static double clamp(double pct) {
        return Math.max(0, Math.min(100, pct));
    }

    /** Busy around the clock at {@code meanPct} with Gaussian noise. */
    static Demand steady(double meanPct, double sigma) {
        return (slot, t, r) -> clamp(meanPct + r.nextGaussian() * sigma);
    }

    /**
     * An inference service that scales with daily traffic: {@code baseGpus} always on, up to all its GPUs
     * during {@code peakHours} hours a day (UTC, starting 14:00), each busy at {@code busyPct} while running.
     */
    static Demand dailyPeaks(int baseGpus, int peakHours, double busyPct) {
        return (slot, t, r) -> {
            int hour = (int) ((t.getEpochSecond() / 3600) % 24);
            boolean peak = hour >= 14 && hour < 14 + peakHours;
            if (slot >= baseGpus && !peak) {
                return Double.NaN;
            }
            return clamp(busyPct + r.nextGaussian() * 6);
        };
    }

    /** GPUs held but barely used. */
    static Demand idle(double meanPct) {
        return (slot, t, r) -> clamp(meanPct + Math.abs(r.nextGaussian()));
    }

    /** Busy at {@code fromPct} until {@code changeAt}, then sliding to {@code toPct} over {@code rampHours}. */
    static Demand drifting(double fromPct, double toPct, Instant changeAt, double rampHours) {
        return (slot, t, r) -> {
            double hours = (t.getEpochSecond() - changeAt.getEpochSecond()) / 3600.0;
            double progress = Math.max(0, Math.min(1, hours / rampHours));
            return clamp(fromPct + (toPct - fromPct) * progress + r.nextGaussian() * 4);
        };
    }
}
