package costline.dashboards.grafana;

import java.time.Duration;

/**
 * How Grafana picks $__interval: the range divided by the panel's max data points, raised to the panel's (or the
 * datasource's) min interval, then rounded to a "nice" step by the same table Grafana's roundInterval uses.
 */
public final class Intervals {

    /** Upper bound (exclusive, ms) and the step it rounds to (ms), in Grafana's order. */
    private static final long[][] ROUND = {
            {15, 10}, {35, 20}, {75, 50}, {150, 100}, {350, 200}, {750, 500}, {1_500, 1_000}, {3_500, 2_000},
            {7_500, 5_000}, {12_500, 10_000}, {17_500, 15_000}, {25_000, 20_000}, {45_000, 30_000},
            {90_000, 60_000}, {210_000, 120_000}, {450_000, 300_000}, {750_000, 600_000}, {1_050_000, 900_000},
            {1_500_000, 1_200_000}, {2_700_000, 1_800_000}, {5_400_000, 3_600_000}, {9_000_000, 7_200_000},
            {16_200_000, 10_800_000}, {32_400_000, 21_600_000}, {86_400_000, 43_200_000},
            {604_800_000, 86_400_000}, {1_814_400_000, 604_800_000}, {3_628_800_000L, 2_592_000_000L}};

    private Intervals() {
    }

    public static Duration interval(Duration range, int maxDataPoints, Duration minInterval) {
        long raw = range.toMillis() / maxDataPoints;
        long rounded = round(raw);
        return Duration.ofMillis(Math.max(rounded, minInterval.toMillis()));
    }

    static long round(long ms) {
        for (long[] r : ROUND) {
            if (ms < r[0]) {
                return r[1];
            }
        }
        return 31_536_000_000L;
    }

    /** Grafana's interval text ("10s", "1m", "2h", "1d", "1w"), which InfluxQL's duration literals accept. */
    public static String text(Duration d) {
        long ms = d.toMillis();
        long[] units = {604_800_000L, 86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
        String[] names = {"w", "d", "h", "m", "s", "ms"};
        for (int i = 0; i < units.length; i++) {
            if (ms % units[i] == 0) {
                return (ms / units[i]) + names[i];
            }
        }
        throw new AssertionError(ms);
    }

    /** Parses Grafana's interval settings ("10s", "1m", ">1m"). */
    public static Duration parse(String s) {
        String t = s.strip().replace(">", "");
        var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h|d|w)").matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("bad interval: " + s);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
    }
}
