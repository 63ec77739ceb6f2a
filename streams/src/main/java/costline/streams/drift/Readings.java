package costline.streams.drift;

/** Which readings the detectors accept: a reading outside its physical range is skipped and counted. */
final class Readings {

    private Readings() {
    }

    static boolean validUtil(double pct) {
        return Double.isFinite(pct) && pct >= 0.0 && pct <= 100.0;
    }

    static boolean validPower(double watts) {
        return Double.isFinite(watts) && watts >= 0.0;
    }

    static boolean validShare(double share) {
        return Double.isFinite(share) && share > 0.0 && share <= 1.0;
    }
}
