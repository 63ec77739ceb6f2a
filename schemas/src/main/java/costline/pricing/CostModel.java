package costline.pricing;

import costline.events.CloudPrice;
import costline.events.OnPremPrice;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * The cost model of the project, in exact arithmetic: every result is whole micro-dollars (micro-USD),
 * computed from the catalog's integer micro-USD figures with one half-even rounding at the end. The arithmetic is in
 * longs (a few multiplications and one division per sample); where a product would overflow a long, which no real
 * catalog's figures come near, the same formula in BigInteger/BigDecimal gives the same rounding.
 *
 * <ul>
 *   <li>Cloud rate of a GPU = instance price per hour / GPUs per instance (billed busy or idle).</li>
 *   <li>On-prem fixed rate of a GPU per hour = (capex - residual) / (amortization months x 730)
 *       + yearly ops / 8760.</li>
 *   <li>On-prem energy = kWh x PUE x price per kWh.</li>
 * </ul>
 */
public final class CostModel {

    /** Hours in the average month, as used for amortization (8760 / 12). */
    public static final int HOURS_PER_MONTH = 730;
    public static final int HOURS_PER_YEAR = 8760;
    public static final long MS_PER_HOUR = 3_600_000L;
    /** Millijoules in one kWh. */
    public static final long MJ_PER_KWH = 3_600_000_000L;

    private CostModel() {
    }

    /** Cloud cost of one GPU over {@code intervalMs}, micro-USD: hourly x ms / (GPUs x 3.6e6), rounded half-even. */
    public static long cloudCostMicroUsd(CloudPrice price, long intervalMs) {
        long hourlyMicroUsd = price.getInstanceHourlyMicroUsd();
        long msPerGpuHour = price.getGpusPerInstance() * MS_PER_HOUR; // an int x 3.6e6 always fits a long
        if (msPerGpuHour > 0 && productFits(hourlyMicroUsd, intervalMs)) {
            return divideHalfEven(hourlyMicroUsd * intervalMs, msPerGpuHour);
        }
        return divideExact(BigInteger.valueOf(hourlyMicroUsd).multiply(BigInteger.valueOf(intervalMs)),
                BigInteger.valueOf(price.getGpusPerInstance()).multiply(BigInteger.valueOf(MS_PER_HOUR)));
    }

    /** Cloud rate of one GPU, micro-USD per hour. */
    public static long cloudMicroUsdPerGpuHour(CloudPrice price) {
        return cloudCostMicroUsd(price, MS_PER_HOUR);
    }

    /** On-prem fixed cost (amortized capex + ops) of one GPU over {@code intervalMs}, micro-USD. */
    public static long onPremFixedCostMicroUsd(OnPremPrice price, long intervalMs) {
        // capex part: (capex - residual) x ms / (months x 730 x 3.6e6); ops part: ops x ms / (8760 x 3.6e6), rounded once
        // over the common denominator. 8760 = 12 x 730, so the sum is
        //   ms x (12 x (capex - residual) + months x ops) / (months x 8760 x 3.6e6),
        // the same fraction as the two parts over the product of their denominators, hence the same rounding.
        long capexLessResidualMicroUsd = price.getCapexPerGpuMicroUsd() - price.getResidualPerGpuMicroUsd();
        long months = price.getAmortizationMonths();
        long yearlyOpsMicroUsd = price.getYearlyOpsPerGpuMicroUsd();
        if (months > 0 && productFits(12, capexLessResidualMicroUsd) && productFits(months, yearlyOpsMicroUsd)
                && productFits(months, MS_PER_YEAR)) {
            long twelveCapex = 12 * capexLessResidualMicroUsd;
            long monthsOps = months * yearlyOpsMicroUsd;
            long perYear = twelveCapex + monthsOps; // micro-USD x months per year, per GPU
            boolean sumFits = ((twelveCapex ^ perYear) & (monthsOps ^ perYear)) >= 0;
            if (sumFits && productFits(intervalMs, perYear)) {
                return divideHalfEven(intervalMs * perYear, months * MS_PER_YEAR);
            }
        }
        return onPremFixedCostExact(price, intervalMs);
    }

    /** On-prem fixed cost of one GPU per average month (730 h), micro-USD. */
    public static long onPremFixedMonthlyMicroUsd(OnPremPrice price) {
        return onPremFixedCostMicroUsd(price, HOURS_PER_MONTH * MS_PER_HOUR);
    }

    /**
     * Cost of {@code energyMj} millijoules drawn by the GPU, with the site's PUE, micro-USD: mJ x PUE x micro-USD/kWh /
     * 3.6e9, rounded half-even. The PUE counts as the decimal its double prints as (1.4 is 14/10, not 1.39999...).
     */
    public static long energyCostMicroUsd(OnPremPrice price, long energyMj) {
        Decimal pue = Decimal.of(price.getPue());
        long microUsdPerKwh = price.getEnergyMicroUsdPerKwh();
        if (pue.fits() && productFits(energyMj, pue.unscaled())) {
            long mjTimesPue = energyMj * pue.unscaled();
            if (productFits(mjTimesPue, microUsdPerKwh)) {
                return divideHalfEven(mjTimesPue * microUsdPerKwh, pue.mjPerKwhScaled());
            }
        }
        return energyCostExact(price, energyMj);
    }

    /** Energy over an interval from a power reading: watts x ms = millijoules. */
    public static long energyMjFromPower(double powerW, long intervalMs) {
        return Math.round(powerW * intervalMs);
    }

    /** Micro-USD to dollars for display and sinks, rounded half-even to the cent. */
    public static BigDecimal toDollarsCents(long microUsd) {
        return BigDecimal.valueOf(microUsd, 6).setScale(2, RoundingMode.HALF_EVEN);
    }

    /** Micro-USD as exact dollars (6 decimals). */
    public static BigDecimal toDollars(long microUsd) {
        return BigDecimal.valueOf(microUsd, 6);
    }

    /** Dollars (as written in a catalog, e.g. "32.77") to micro-USD, exactly; more than 6 decimals is an error. */
    public static long microUsd(String dollars) {
        return new BigDecimal(dollars).movePointRight(6).setScale(0, RoundingMode.UNNECESSARY).longValueExact();
    }

    /** 8760 h x 3.6e6 ms. */
    private static final long MS_PER_YEAR = HOURS_PER_YEAR * MS_PER_HOUR;

    /** Whether {@code a x b} fits a long. */
    public static boolean productFits(long a, long b) {
        long low = a * b;
        return Math.multiplyHigh(a, b) == (low >> 63);
    }

    /** {@code numerator / denominator} (denominator > 0) rounded half-even, as BigDecimal's HALF_EVEN does. */
    public static long divideHalfEven(long numerator, long denominator) {
        long quotient = numerator / denominator; // toward zero
        long remainder = Math.abs(numerator % denominator); // < denominator
        long rest = denominator - remainder; // what the remainder misses of a whole unit: > 0, no overflow
        if (remainder > rest || (remainder == rest && (quotient & 1) != 0)) {
            quotient += numerator < 0 ? -1 : 1;
        }
        return quotient;
    }

    /**
     * A double as the decimal it prints as ({@link BigDecimal#valueOf(double)}): unscaled digits x 10^-scale, and the
     * millijoules per kWh scaled alike, where both fit a long. The last one converted is remembered (a site's PUE is
     * the same for every sample); the record is immutable, so threads that share it see it whole or not at all.
     */
    private record Decimal(long bits, long unscaled, int scale, long mjPerKwhScaled) {

        private static Decimal last = new Decimal(Double.doubleToRawLongBits(1.0), 1, 0, MJ_PER_KWH);

        static Decimal of(double value) {
            Decimal d = last;
            if (d.bits() == Double.doubleToRawLongBits(value)) {
                return d;
            }
            BigDecimal exact = BigDecimal.valueOf(value); // throws for NaN and infinities, as the exact path does
            long unscaled = exact.unscaledValue().bitLength() < 64 ? exact.unscaledValue().longValue() : 0;
            int scale = exact.scale();
            // 10^scale x 3.6e9 fits a long up to scale 9; a negative scale (1.0E20) takes the exact path
            long scaled = exact.unscaledValue().bitLength() < 64 && scale >= 0 && scale <= 9
                    ? pow10(scale) * MJ_PER_KWH : 0;
            d = new Decimal(Double.doubleToRawLongBits(value), unscaled, scale, scaled);
            last = d;
            return d;
        }

        boolean fits() {
            return mjPerKwhScaled > 0;
        }
    }

    private static long pow10(int n) {
        long p = 1;
        for (int i = 0; i < n; i++) {
            p *= 10;
        }
        return p;
    }

    // The exact formulas in BigInteger/BigDecimal: where a product would overflow a long (never with a real catalog's
    // figures), and the reference the long arithmetic above is tested against (CostModelExactnessTest).

    private static long onPremFixedCostExact(OnPremPrice price, long intervalMs) {
        BigInteger ms = BigInteger.valueOf(intervalMs);
        BigInteger capexDen = BigInteger.valueOf((long) price.getAmortizationMonths() * HOURS_PER_MONTH * MS_PER_HOUR);
        BigInteger opsDen = BigInteger.valueOf(HOURS_PER_YEAR * MS_PER_HOUR);
        BigInteger capexNum = BigInteger.valueOf(price.getCapexPerGpuMicroUsd() - price.getResidualPerGpuMicroUsd()).multiply(ms);
        BigInteger opsNum = BigInteger.valueOf(price.getYearlyOpsPerGpuMicroUsd()).multiply(ms);
        return divideExact(capexNum.multiply(opsDen).add(opsNum.multiply(capexDen)), capexDen.multiply(opsDen));
    }

    private static long energyCostExact(OnPremPrice price, long energyMj) {
        BigDecimal cost = BigDecimal.valueOf(energyMj)
                .multiply(BigDecimal.valueOf(price.getPue()))
                .multiply(BigDecimal.valueOf(price.getEnergyMicroUsdPerKwh()))
                .divide(BigDecimal.valueOf(MJ_PER_KWH), 0, RoundingMode.HALF_EVEN);
        return cost.longValueExact();
    }

    private static long divideExact(BigInteger numerator, BigInteger denominator) {
        return new BigDecimal(numerator).divide(new BigDecimal(denominator), 0, RoundingMode.HALF_EVEN).longValueExact();
    }
}
