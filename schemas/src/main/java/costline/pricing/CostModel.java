package costline.pricing;

import costline.events.CloudPrice;
import costline.events.OnPremPrice;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * The cost model of the project, in exact arithmetic: every result is whole micro-dollars (micro-USD),
 * computed from the catalog's integer micro-USD figures with one half-even rounding at the end.
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

    /** Cloud cost of one GPU over {@code intervalMs}, micro-USD. */
    public static long cloudCostMicroUsd(CloudPrice price, long intervalMs) {
        return divide(BigInteger.valueOf(price.getInstanceHourlyMicroUsd()).multiply(BigInteger.valueOf(intervalMs)),
                BigInteger.valueOf(price.getGpusPerInstance()).multiply(BigInteger.valueOf(MS_PER_HOUR)));
    }

    /** Cloud rate of one GPU, micro-USD per hour. */
    public static long cloudMicroUsdPerGpuHour(CloudPrice price) {
        return cloudCostMicroUsd(price, MS_PER_HOUR);
    }

    /** On-prem fixed cost (amortized capex + ops) of one GPU over {@code intervalMs}, micro-USD. */
    public static long onPremFixedCostMicroUsd(OnPremPrice price, long intervalMs) {
        // capex part: (capex - residual) x ms / (months x 730 x 3.6e6); ops part: ops x ms / (8760 x 3.6e6).
        // Summed over a common denominator so the result is rounded once.
        BigInteger ms = BigInteger.valueOf(intervalMs);
        BigInteger capexDen = BigInteger.valueOf((long) price.getAmortizationMonths() * HOURS_PER_MONTH * MS_PER_HOUR);
        BigInteger opsDen = BigInteger.valueOf(HOURS_PER_YEAR * MS_PER_HOUR);
        BigInteger capexNum = BigInteger.valueOf(price.getCapexPerGpuMicroUsd() - price.getResidualPerGpuMicroUsd()).multiply(ms);
        BigInteger opsNum = BigInteger.valueOf(price.getYearlyOpsPerGpuMicroUsd()).multiply(ms);
        return divide(capexNum.multiply(opsDen).add(opsNum.multiply(capexDen)), capexDen.multiply(opsDen));
    }

    /** On-prem fixed cost of one GPU per average month (730 h), micro-USD. */
    public static long onPremFixedMonthlyMicroUsd(OnPremPrice price) {
        return onPremFixedCostMicroUsd(price, HOURS_PER_MONTH * MS_PER_HOUR);
    }

    /** Cost of {@code energyMj} millijoules drawn by the GPU, with the site's PUE, micro-USD. */
    public static long energyCostMicroUsd(OnPremPrice price, long energyMj) {
        BigDecimal cost = BigDecimal.valueOf(energyMj)
                .multiply(BigDecimal.valueOf(price.getPue()))
                .multiply(BigDecimal.valueOf(price.getEnergyMicroUsdPerKwh()))
                .divide(BigDecimal.valueOf(MJ_PER_KWH), 0, RoundingMode.HALF_EVEN);
        return cost.longValueExact();
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

    private static long divide(BigInteger numerator, BigInteger denominator) {
        return new BigDecimal(numerator).divide(new BigDecimal(denominator), 0, RoundingMode.HALF_EVEN).longValueExact();
    }
}
