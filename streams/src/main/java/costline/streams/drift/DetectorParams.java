package costline.streams.drift;

import costline.streams.config.SettingsException;

/**
 * Tuning of one {@link DriftDetector}. Lengths are in samples of the series the detector watches (1 s for a GPU
 * reporting at 1 Hz, one bucket for a workload, one minute for a cost rate); thresholds are in units of the
 * series' robust noise estimate (sigma) unless named otherwise.
 *
 * @param warmupSamples          samples used to learn the baseline (median) and noise (scaled MAD) before
 *                               watching, and again after each detection (re-baselining)
 * @param confirmSamples         confirmation window: the CUSUM only arms a detection; the median of the last
 *                               this-many samples must itself have moved, so a spike shorter than half of it
 *                               never fires
 * @param cusumK                 CUSUM allowance (slack) per sample, sigma
 * @param cusumH                 CUSUM decision threshold, sigma
 * @param clipSigma              residuals are clipped to +-this many sigma before entering the CUSUM and the
 *                               noise estimate, so one wild reading adds a bounded amount of evidence
 * @param minShiftSigma          smallest confirmed shift reported, sigma
 * @param minChangePct           smallest confirmed shift reported, percent of the baseline
 * @param baselineHalfLifeSamples half-life of the EWMA baseline and noise estimate while the CUSUM is quiet
 * @param rebaselineAfterSamples an armed CUSUM whose shift never grows past the reporting minimums is absorbed
 *                               silently into a new baseline after this many samples
 */
public record DetectorParams(int warmupSamples, int confirmSamples, double cusumK, double cusumH, double clipSigma,
                             double minShiftSigma, double minChangePct, int baselineHalfLifeSamples,
                             int rebaselineAfterSamples) {

    /** Tuned on seeded synthetic data (see the drift benchmark and streams/README-drift.md). */
    public static final DetectorParams DEFAULTS = new DetectorParams(60, 30, 0.5, 8.0, 4.0, 2.0, 10.0, 600, 1800);

    public DetectorParams {
        require(warmupSamples >= 5, "warmup-samples", "must be at least 5 (try 60)");
        require(confirmSamples >= 3, "confirm-samples", "must be at least 3 (try 30)");
        require(confirmSamples <= warmupSamples, "confirm-samples",
                "must not exceed warmup-samples (the re-baseline starts from the confirmation window)");
        require(cusumK > 0 && Double.isFinite(cusumK), "cusum-k", "must be a positive number of sigma (try 0.5)");
        require(cusumH > 0 && Double.isFinite(cusumH), "cusum-h", "must be a positive number of sigma (try 8)");
        require(clipSigma > cusumK && Double.isFinite(clipSigma), "clip-sigma", "must exceed cusum-k (try 4)");
        require(minShiftSigma >= 0 && Double.isFinite(minShiftSigma), "min-shift-sigma", "must be >= 0 (try 2)");
        require(minChangePct >= 0 && Double.isFinite(minChangePct), "min-change-pct", "must be >= 0 (try 10)");
        require(baselineHalfLifeSamples >= 1, "baseline-half-life-samples", "must be at least 1 (try 600)");
        require(rebaselineAfterSamples >= confirmSamples, "rebaseline-after-samples",
                "must be at least confirm-samples (try 1800)");
    }

    /** EWMA weight of a new sample for the configured half-life. */
    double alpha() {
        return 1.0 - Math.pow(0.5, 1.0 / baselineHalfLifeSamples);
    }

    /** A threshold's own check: the key is {@code drift.<name>}; the reader renames it for a workload's override. */
    static void require(boolean ok, String name, String fix) {
        SettingsException.require(ok, "drift." + name, "is out of range", "it " + fix);
    }
}
