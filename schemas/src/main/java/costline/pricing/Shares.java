package costline.pricing;

import java.util.Arrays;

/**
 * Splits a whole amount (micro-USD, GPU-ms) over shares so that the parts are whole and sum exactly to the
 * total: each part gets its floor, and what is left goes one unit at a time to the largest remainders (ties to
 * the earlier index, so the split is deterministic).
 */
public final class Shares {

    private Shares() {
    }

    /** Parts of {@code total} in proportion to {@code weights} (non-negative, not all zero: else equal parts). */
    public static long[] split(long total, double[] weights) {
        int n = weights.length;
        if (n == 0) {
            throw new IllegalArgumentException("no shares to split " + total + " over");
        }
        double sum = 0;
        for (double w : weights) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("share weights must be finite and >= 0: " + Arrays.toString(weights));
            }
            sum += w;
        }
        double[] normalized = new double[n];
        for (int i = 0; i < n; i++) {
            normalized[i] = sum == 0 ? 1.0 / n : weights[i] / sum;
        }
        long[] parts = new long[n];
        double[] remainders = new double[n];
        long assigned = 0;
        for (int i = 0; i < n; i++) {
            double exact = total * normalized[i];
            parts[i] = (long) Math.floor(exact);
            remainders[i] = exact - parts[i];
            assigned += parts[i];
        }
        long left = total - assigned;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> remainders[a] != remainders[b] ? Double.compare(remainders[b], remainders[a]) : Integer.compare(a, b));
        for (int k = 0; left != 0; k = (k + 1) % n) {
            long step = left > 0 ? 1 : -1;
            parts[order[k]] += step;
            left -= step;
        }
        return parts;
    }
}
