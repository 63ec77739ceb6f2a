package costline.pricing;

import java.util.Arrays;

/**
 * Splits a whole amount (micro-USD, GPU-ms) over shares so that the parts are whole and sum exactly to the
 * total: each part gets its floor, and what is left goes one unit at a time to the largest remainders (ties to
 * the earlier index, so the split is deterministic).
 */
public final class Shares {

    /** Up to this many units left over are handed out by scanning the remainders; more by sorting them. */
    private static final int SCAN_MAX = 8;

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
        if (n == 1) {
            return new long[] {total}; // the floor and what is left both go to the one share
        }
        long[] parts = new long[n];
        double[] remainders = new double[n];
        long assigned = 0;
        for (int i = 0; i < n; i++) {
            double exact = total * (sum == 0 ? 1.0 / n : weights[i] / sum);
            parts[i] = (long) Math.floor(exact);
            remainders[i] = exact - parts[i];
            assigned += parts[i];
        }
        // What is left goes one unit at a time round the shares, largest remainder first (ties to the earlier index):
        // every share gets |left| / n units, and the first |left| % n in that order one more.
        long left = total - assigned;
        if (left == 0) {
            return parts;
        }
        long step = left > 0 ? 1 : -1;
        long rounds = left / n;
        if (rounds != 0) {
            for (int i = 0; i < n; i++) {
                parts[i] += rounds;
            }
        }
        int extra = (int) Math.abs(left % n);
        if (extra > SCAN_MAX) {
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> remainders[a] != remainders[b] ? Double.compare(remainders[b], remainders[a]) : Integer.compare(a, b));
            for (int k = 0; k < extra; k++) {
                parts[order[k]] += step;
            }
            return parts;
        }
        // the next share in the order after the one last given (its remainder and index), found by a scan: a sample's
        // shares are a few, so this beats sorting boxed indexes
        double lastRemainder = Double.POSITIVE_INFINITY;
        int lastIndex = -1;
        for (int k = 0; k < extra; k++) {
            int best = -1;
            for (int i = 0; i < n; i++) {
                double r = remainders[i];
                boolean after = r < lastRemainder || (r == lastRemainder && i > lastIndex);
                if (after && (best < 0 || r > remainders[best])) {
                    best = i;
                }
            }
            parts[best] += step;
            lastRemainder = remainders[best];
            lastIndex = best;
        }
        return parts;
    }
}
