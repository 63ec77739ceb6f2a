package costline.streams.breakeven;

/**
 * Owning {@code owned} GPUs and renting the rest of the demand, per average month (730 h), in micro-USD.
 *
 * @param owned                   GPUs owned
 * @param capexMicroUsd           purchase price of the owned GPUs, paid up front, micro-USD
 * @param cloudMonthlyMicroUsd    cloud spend still needed for demand above the owned GPUs, micro-USD per month
 * @param opexMonthlyMicroUsd     cash cost of running the owned GPUs (operations + electricity while used),
 *                                micro-USD per month
 * @param avoidedMonthlyMicroUsd  cloud spend the owned GPUs replace, micro-USD per month
 * @param ownedMonthlyMicroUsd    full cost of the owned GPUs (amortized capex + operations + electricity),
 *                                micro-USD per month
 */
public record Plan(int owned, long capexMicroUsd, long cloudMonthlyMicroUsd, long opexMonthlyMicroUsd,
                   long avoidedMonthlyMicroUsd, long ownedMonthlyMicroUsd) {

    /** Cash spent after {@code months} months: capex up front, then cloud + opex each month, micro-USD. */
    public double cumulativeMicroUsd(double months) {
        return capexMicroUsd + months * (cloudMonthlyMicroUsd + opexMonthlyMicroUsd);
    }

    /** Cash saved per month against renting everything once the GPUs are paid for, micro-USD per month. */
    public long monthlyCashSavingMicroUsd() {
        return avoidedMonthlyMicroUsd - opexMonthlyMicroUsd;
    }

    /**
     * Months until the purchase pays for itself: capex / (cloud spend avoided - opex) a month. Null when nothing
     * is bought or the owned GPUs never pay back.
     */
    public Double breakEvenMonths() {
        long saving = monthlyCashSavingMicroUsd();
        if (owned == 0 || saving <= 0) {
            return null;
        }
        return (double) capexMicroUsd / saving;
    }

    /** Saving of this plan against cloud only, with capex amortized: 12 x (avoided - owned monthly), micro-USD. */
    public long yearlySavingsMicroUsd() {
        return 12 * (avoidedMonthlyMicroUsd - ownedMonthlyMicroUsd);
    }
}
