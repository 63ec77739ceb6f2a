package costline.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.CloudPrice;
import costline.events.OnPremPrice;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The cost model's long arithmetic against the formulas it replaced (BigInteger/BigDecimal with one half-even rounding,
 * and the boxed-sort {@link Shares#split}), copied below as they were: for every input, the same micro-dollars or the
 * same exception. Inputs are drawn from realistic catalogs, from every bit length up to a long's (so products cross
 * the overflow boundary both ways), from the edges (0, +-1, Long.MIN/MAX) and built to land exactly on halves.
 */
class CostModelExactnessTest {

    private static final int CASES = 300_000;
    private static final long[] EDGES = {0, 1, -1, 2, 3, 499_999, 500_000, 1_800_000, 3_600_000, Integer.MAX_VALUE,
            Integer.MIN_VALUE, 1L << 31, 1L << 32, 1L << 53, (1L << 62) - 1, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1,
            Long.MIN_VALUE + 1, 3_037_000_499L, 3_037_000_500L, 1_000_000_000_000L, 999_999_999_999_999L};

    // ---- the formulas as they were, the reference ----

    static long referenceCloud(CloudPrice price, long intervalMs) {
        return referenceDivide(BigInteger.valueOf(price.getInstanceHourlyMicroUsd()).multiply(BigInteger.valueOf(intervalMs)),
                BigInteger.valueOf(price.getGpusPerInstance()).multiply(BigInteger.valueOf(CostModel.MS_PER_HOUR)));
    }

    static long referenceOnPremFixed(OnPremPrice price, long intervalMs) {
        BigInteger ms = BigInteger.valueOf(intervalMs);
        BigInteger capexDen = BigInteger.valueOf((long) price.getAmortizationMonths() * CostModel.HOURS_PER_MONTH * CostModel.MS_PER_HOUR);
        BigInteger opsDen = BigInteger.valueOf(CostModel.HOURS_PER_YEAR * CostModel.MS_PER_HOUR);
        BigInteger capexNum = BigInteger.valueOf(price.getCapexPerGpuMicroUsd() - price.getResidualPerGpuMicroUsd()).multiply(ms);
        BigInteger opsNum = BigInteger.valueOf(price.getYearlyOpsPerGpuMicroUsd()).multiply(ms);
        return referenceDivide(capexNum.multiply(opsDen).add(opsNum.multiply(capexDen)), capexDen.multiply(opsDen));
    }

    static long referenceEnergy(OnPremPrice price, long energyMj) {
        return BigDecimal.valueOf(energyMj)
                .multiply(BigDecimal.valueOf(price.getPue()))
                .multiply(BigDecimal.valueOf(price.getEnergyMicroUsdPerKwh()))
                .divide(BigDecimal.valueOf(CostModel.MJ_PER_KWH), 0, RoundingMode.HALF_EVEN)
                .longValueExact();
    }

    private static long referenceDivide(BigInteger numerator, BigInteger denominator) {
        return new BigDecimal(numerator).divide(new BigDecimal(denominator), 0, RoundingMode.HALF_EVEN).longValueExact();
    }

    static long[] referenceSplit(long total, double[] weights) {
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

    // ---- inputs ----

    /** A long of a random bit length (so every magnitude is as likely), either sign; now and then an edge value. */
    static long anyLong(SplittableRandom r) {
        if (r.nextInt(8) == 0) {
            return EDGES[r.nextInt(EDGES.length)];
        }
        int bits = r.nextInt(64);
        long v = bits == 0 ? 0 : r.nextLong() >>> (64 - bits);
        return r.nextBoolean() ? v : -v;
    }

    static int anyInt(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> r.nextInt(1, 17);
            case 1 -> r.nextInt(-2, 3);
            case 2 -> r.nextBoolean() ? Integer.MAX_VALUE - r.nextInt(3) : Integer.MIN_VALUE + r.nextInt(3);
            default -> r.nextInt();
        };
    }

    /** The same result, or the same kind of exception (division by zero, a result beyond a long). */
    private static void assertSame(Supplier<Long> fast, Supplier<Long> reference, Supplier<String> what) {
        Object expected;
        try {
            expected = reference.get();
        } catch (RuntimeException e) {
            expected = e.getClass();
        }
        Object actual;
        try {
            actual = fast.get();
        } catch (RuntimeException e) {
            actual = e.getClass();
        }
        if (!expected.equals(actual)) { // the description (an Avro record's text) only for a failure
            assertThat(actual).as(what.get()).isEqualTo(expected);
        }
    }

    private static CloudPrice cloud(int gpus, long hourlyMicroUsd) {
        return CloudPrice.newBuilder().setProvider("aws").setRegion("r").setInstanceType("t").setGpusPerInstance(gpus)
                .setInstanceHourlyMicroUsd(hourlyMicroUsd).build();
    }

    private static OnPremPrice onPrem(long capex, long residual, int months, long ops, double pue, long perKwh) {
        return OnPremPrice.newBuilder().setCapexPerGpuMicroUsd(capex).setResidualPerGpuMicroUsd(residual)
                .setAmortizationMonths(months).setYearlyOpsPerGpuMicroUsd(ops).setPue(pue).setEnergyMicroUsdPerKwh(perKwh).build();
    }

    // ---- the properties ----

    @Test
    void cloudCostIsTheExactFormulasForEveryInput() {
        SplittableRandom r = new SplittableRandom(1401);
        for (int i = 0; i < CASES; i++) {
            CloudPrice price;
            long ms;
            switch (i % 4) {
                case 0 -> { // a catalog: $0.10 .. $100 an hour, 1..16 GPUs, 1 ms .. 1 day
                    price = cloud(r.nextInt(1, 17), r.nextLong(100_000L, 100_000_000L));
                    ms = r.nextLong(1, 86_400_001L);
                }
                case 1 -> { // an exact half: hourly k (odd) over half an hour per GPU -> k / 2
                    int gpus = r.nextInt(1, 17);
                    price = cloud(gpus, r.nextLong(0, 1L << 40) * 2 + 1);
                    ms = 1_800_000L * gpus * (r.nextBoolean() ? 1 : -1);
                }
                default -> {
                    price = cloud(anyInt(r), anyLong(r));
                    ms = anyLong(r);
                }
            }
            CloudPrice p = price;
            long interval = ms;
            assertSame(() -> CostModel.cloudCostMicroUsd(p, interval), () -> referenceCloud(p, interval), () -> p + " x " + interval + " ms");
        }
    }

    @Test
    void onPremFixedCostIsTheExactFormulasForEveryInput() {
        SplittableRandom r = new SplittableRandom(1402);
        for (int i = 0; i < CASES; i++) {
            OnPremPrice price;
            long ms;
            switch (i % 4) {
                case 0 -> { // a catalog: $5k .. $60k a GPU, residual below it, 12..72 months, ops up to $10k a year
                    long capex = r.nextLong(5_000_000_000L, 60_000_000_000L);
                    price = onPrem(capex, r.nextLong(0, capex), r.nextInt(12, 73), r.nextLong(0, 10_000_000_000L), 1.5, 1);
                    ms = r.nextLong(0, 40L * 86_400_000L);
                }
                case 1 -> { // an exact half: no capex, ops k (odd) over half a year -> k / 2 (in longs: k < 2^21)
                    price = onPrem(0, 0, r.nextInt(1, 100), r.nextLong(0, 1L << 20) * 2 + 1, 1.5, 1);
                    ms = CostModel.HOURS_PER_YEAR * CostModel.MS_PER_HOUR / 2 * (r.nextBoolean() ? 1 : -1);
                }
                default -> {
                    price = onPrem(anyLong(r), anyLong(r), anyInt(r), anyLong(r), 1.5, 1);
                    ms = anyLong(r);
                }
            }
            OnPremPrice p = price;
            long interval = ms;
            assertSame(() -> CostModel.onPremFixedCostMicroUsd(p, interval), () -> referenceOnPremFixed(p, interval),
                    () -> p + " x " + interval + " ms");
        }
    }

    @Test
    void energyCostIsTheExactFormulasForEveryInput() {
        double[] pues = {1.0, 1.1, 1.2, 1.25, 1.4, 1.5, 1.58, 2.0, 0.0, -0.0, 1.0E20, 1.0E-10, 123456.789, Double.MIN_VALUE,
                Double.MAX_VALUE, 1.0 / 3};
        SplittableRandom r = new SplittableRandom(1403);
        for (int i = 0; i < CASES; i++) {
            OnPremPrice price;
            long mj;
            switch (i % 4) {
                case 0 -> { // a site: PUE 1.0 .. 2.0 with two decimals, 2..50 cents a kWh, up to 10 kWh, negative corrections
                    price = onPrem(1, 0, 36, 0, r.nextInt(100, 201) / 100.0, r.nextLong(20_000, 500_001));
                    mj = r.nextLong(-1_000_000_000L, 36_000_000_000L);
                }
                case 1 -> { // an exact half: half a kWh at PUE 1 and an odd price
                    price = onPrem(1, 0, 36, 0, 1.0, r.nextLong(0, 1L << 40) * 2 + 1);
                    mj = CostModel.MJ_PER_KWH / 2 * (r.nextBoolean() ? 1 : -1);
                }
                case 2 -> { // any double as the PUE, a few in a row (the conversion of the last one is remembered)
                    double pue = r.nextInt(3) == 0 ? pues[r.nextInt(pues.length)] : Double.longBitsToDouble(r.nextLong());
                    price = onPrem(1, 0, 36, 0, pue, anyLong(r));
                    mj = anyLong(r);
                }
                default -> {
                    price = onPrem(1, 0, 36, 0, pues[r.nextInt(pues.length)], anyLong(r));
                    mj = anyLong(r);
                }
            }
            OnPremPrice p = price;
            long energy = mj;
            assertSame(() -> CostModel.energyCostMicroUsd(p, energy), () -> referenceEnergy(p, energy), () -> p + " x " + energy + " mJ");
        }
    }

    @Test
    void halfEvenDivisionIsBigDecimalsForEveryNumeratorAndPositiveDenominator() {
        SplittableRandom r = new SplittableRandom(1404);
        for (int i = 0; i < CASES; i++) {
            long den = Math.max(1, Math.abs(anyLong(r)));
            // every other case an exact half of the denominator away from a multiple of it
            long num = i % 2 == 0 || den % 2 != 0 ? anyLong(r) : r.nextLong(-1_000_000, 1_000_000) * den + den / 2;
            long n = num;
            assertSame(() -> CostModel.divideHalfEven(n, den),
                    () -> referenceDivide(BigInteger.valueOf(n), BigInteger.valueOf(den)), () -> n + " / " + den);
        }
    }

    @Test
    void sharesSplitAsTheSortingSplitDidForEveryTotalAndWeights() {
        SplittableRandom r = new SplittableRandom(1405);
        for (int i = 0; i < CASES; i++) {
            int n = r.nextInt(10) == 0 ? r.nextInt(9, 40) : r.nextInt(1, 7);
            double[] weights = new double[n];
            int kind = r.nextInt(7);
            for (int k = 0; k < n; k++) {
                weights[k] = switch (kind) {
                    case 0 -> 1;                                   // equal: 100 over 3 does not divide evenly
                    case 1 -> (float) r.nextDouble();              // float shares as the collectors send them
                    case 2 -> r.nextInt(4) == 0 ? 0 : r.nextDouble();
                    case 3 -> 0;                                   // all zero: equal parts
                    case 4 -> r.nextInt(1, 60_001);                // minute overlaps in ms
                    case 5 -> r.nextDouble() * Math.pow(10, r.nextInt(-300, 300)); // any magnitude, subnormal .. huge
                    default -> r.nextInt(50) == 0 ? Double.NaN : r.nextInt(50) == 0 ? -1 : r.nextDouble(); // refused
                };
            }
            double sum = 0;
            for (double w : weights) {
                sum += w;
            }
            // with an infinite sum every part floors to 0 and the reference hands out the total one unit at a time
            long total = Double.isInfinite(sum) ? r.nextLong(-100_000, 100_000) : anyLong(r);
            long[] expected = null;
            String expectedError = null;
            try {
                expected = referenceSplit(total, weights);
            } catch (IllegalArgumentException e) {
                expectedError = e.getMessage();
            }
            long[] actual = null;
            String actualError = null;
            try {
                actual = Shares.split(total, weights);
            } catch (IllegalArgumentException e) {
                actualError = e.getMessage();
            }
            if (!Arrays.equals(actual, expected) || !Objects.equals(actualError, expectedError)) {
                assertThat(Arrays.toString(actual) + " " + actualError).as("%d over %s", total, Arrays.toString(weights))
                        .isEqualTo(Arrays.toString(expected) + " " + expectedError);
            }
        }
    }
}
