package costline.streams.drift.bench;

import costline.streams.drift.DetectorParams;
import costline.streams.drift.DetectorState;
import costline.streams.drift.DriftDetector;
import costline.streams.drift.MetricScale;
import costline.streams.drift.Synthetic;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.IntToDoubleFunction;

/**
 * Detection delay and false alarms of the drift detector over many seeds, next to a textbook baseline (a plain
 * two-sided CUSUM, k = 0.5, h = 8, on a fixed warm-up mean and standard deviation, no confirmation). Prints
 * figures; asserts nothing.
 *
 * <pre>
 * mvn -B -q -pl streams -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp "streams/target/test-classes:streams/target/classes:$(cat /tmp/cp.txt)" \
 *     costline.streams.drift.bench.DriftDetectorBench [seeds, default 1000]
 * </pre>
 * (one Maven run, so the reactor puts the modules' own classes on the classpath file).
 */
public final class DriftDetectorBench {

    private static final int WARM = 900;

    /** A detector under test: feeds a series, returns the sample indexes where it fired. */
    interface Candidate {
        List<Integer> fire(double[] series);
    }

    public static void main(String[] args) {
        int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        DriftDetector tuned = new DriftDetector(DetectorParams.DEFAULTS, MetricScale.UTILIZATION);
        Candidate ours = series -> {
            DetectorState st = tuned.newState();
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < series.length; i++) {
                if (tuned.update(st, i * 1000L, series[i]).isPresent()) {
                    out.add(i);
                }
            }
            return out;
        };
        Candidate plain = DriftDetectorBench::plainCusum;
        System.out.printf("drift detector benchmark: %d seeds per scenario, 1 Hz samples, noise sigma 5, clamped 0..100%n",
                seeds);
        System.out.printf("params %s%n%n", DetectorParams.DEFAULTS);
        long[] falseAlarms = new long[2];
        for (String[] c : new String[][] {{"tuned detector", "ours"}, {"baseline: plain CUSUM k=0.5 h=8", "plain"}}) {
            Candidate cand = c[1].equals("ours") ? ours : plain;
            int who = c[1].equals("ours") ? 0 : 1;
            System.out.println("== " + c[0]);
            delay(cand, seeds, "step 90 -> 40", Synthetic.step(90, 40, WARM), WARM, 2400);
            delay(cand, seeds, "step 90 -> 80 (2 sigma)", Synthetic.step(90, 80, WARM), WARM, 3600);
            delay(cand, seeds, "ramp 90 -> 40 over 3600 s", Synthetic.ramp(90, 40, WARM, 3600), WARM, WARM + 4200);
            falseAlarms[who] += falseAlarms(cand, Math.max(1, seeds / 10), "stationary 90, 100,000 samples", i -> 90.0, 100_000);
            falseAlarms[who] += falseAlarms(cand, Math.max(1, seeds / 10), "stationary 50, 100,000 samples", i -> 50.0, 100_000);
            falseAlarms[who] += falseAlarms(cand, seeds, "one 10-sample spike 90 -> 5", Synthetic.spike(90, 5, 1500, 10), 3000);
            falseAlarms[who] += falseAlarms(cand, seeds, "one 10-sample spike 40 -> 100", Synthetic.spike(40, 100, 1500, 10), 3000);
            System.out.println();
        }
        throughput(tuned);
        System.out.printf(Locale.ROOT, "drift: %d false alarms in the stationary and spike series (%s of plain CUSUM's %d)%n",
                falseAlarms[0], falseAlarms[1] == 0 ? "-" : String.format(Locale.ROOT, "%.4f", (double) falseAlarms[0] / falseAlarms[1]), falseAlarms[1]);
    }

    private static void delay(Candidate cand, int seeds, String name, IntToDoubleFunction shape, int changeAt, int n) {
        List<Integer> delays = new ArrayList<>();
        int missed = 0;
        int early = 0;
        for (int seed = 1; seed <= seeds; seed++) {
            List<Integer> fired = cand.fire(Synthetic.series(seed, n, 5.0, shape));
            int firstAfter = -1;
            for (int at : fired) {
                if (at < changeAt) {
                    early++;
                } else if (firstAfter < 0) {
                    firstAfter = at;
                }
            }
            if (firstAfter < 0) {
                missed++;
            } else {
                delays.add(firstAfter - changeAt);
            }
        }
        int[] d = delays.stream().mapToInt(Integer::intValue).sorted().toArray();
        System.out.printf("  %-34s delay samples: median %s, p95 %s, max %s; missed %d/%d; alarms before the change %d%n",
                name, pct(d, 50), pct(d, 95), d.length == 0 ? "-" : String.valueOf(d[d.length - 1]), missed, seeds,
                early);
    }

    private static int falseAlarms(Candidate cand, int seeds, String name, IntToDoubleFunction shape, int n) {
        long alarms = 0;
        int seriesWithAlarm = 0;
        for (int seed = 1; seed <= seeds; seed++) {
            int count = cand.fire(Synthetic.series(10_000L + seed, n, 5.0, shape)).size();
            alarms += count;
            seriesWithAlarm += count > 0 ? 1 : 0;
        }
        System.out.printf("  %-34s false alarms: %d in %d series (%d series with any), %,d samples%n",
                name, alarms, seeds, seriesWithAlarm, (long) seeds * n);
        return (int) alarms;
    }

    private static void throughput(DriftDetector detector) {
        double[] series = Synthetic.series(1, 1_000_000, 5.0, i -> 90.0);
        for (int round = 0; round < 3; round++) {
            DetectorState st = detector.newState();
            long t0 = System.nanoTime();
            for (int i = 0; i < series.length; i++) {
                detector.update(st, i * 1000L, series[i]);
            }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("throughput (round %d): %.1f M samples/s on one thread%n", round + 1,
                    series.length / s / 1e6);
        }
    }

    private static String pct(int[] sorted, int p) {
        if (sorted.length == 0) {
            return "-";
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return String.valueOf(sorted[Math.max(0, idx)]);
    }

    /** Textbook two-sided CUSUM: mean and sd of the first 60 samples, k = 0.5 sd, h = 8 sd, restarts after firing. */
    static List<Integer> plainCusum(double[] x) {
        List<Integer> out = new ArrayList<>();
        int warm = 60;
        int i = 0;
        while (i + warm < x.length) {
            double[] w = Arrays.copyOfRange(x, i, i + warm);
            double mean = Arrays.stream(w).average().orElse(0);
            double sd = Math.max(0.5, Math.sqrt(Arrays.stream(w).map(v -> (v - mean) * (v - mean)).sum() / (warm - 1)));
            double up = 0;
            double down = 0;
            int j = i + warm;
            for (; j < x.length; j++) {
                double z = (x[j] - mean) / sd;
                up = Math.max(0, up + z - 0.5);
                down = Math.max(0, down - z - 0.5);
                if (up > 8 || down > 8) {
                    out.add(j);
                    break;
                }
            }
            i = j + 1;
        }
        return out;
    }
}
