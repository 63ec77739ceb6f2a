package costline.streams.breakeven;

import costline.events.OnPremPrice;
import costline.pricing.CostModel;

/**
 * What owning one GPU costs, in micro-USD.
 *
 * @param capexPerGpuMicroUsd          purchase price of one GPU (server price / GPUs per server), micro-USD
 * @param fixedMonthlyPerGpuMicroUsd   amortized capex (less residual) + operations per average month (730 h), micro-USD
 * @param opsMonthlyPerGpuMicroUsd     the operations part of it alone (yearly ops / 12): the cash the GPU costs
 *                                     once paid for, micro-USD per month
 * @param energyPerBusyGpuHourMicroUsd electricity of one GPU while in use (board power x PUE x price per kWh),
 *                                     micro-USD per GPU-hour; 0 where the operations figure already includes power
 */
public record OwnershipCost(long capexPerGpuMicroUsd, long fixedMonthlyPerGpuMicroUsd, long opsMonthlyPerGpuMicroUsd,
                            long energyPerBusyGpuHourMicroUsd) {

    public OwnershipCost {
        if (capexPerGpuMicroUsd < 0 || fixedMonthlyPerGpuMicroUsd < 0 || opsMonthlyPerGpuMicroUsd < 0
                || energyPerBusyGpuHourMicroUsd < 0) {
            throw new IllegalArgumentException("ownership costs cannot be negative");
        }
    }

    /** From a catalog entry and the GPU's board power (watts, drawn while in use). */
    public static OwnershipCost of(OnPremPrice price, double boardPowerW) {
        if (!(boardPowerW >= 0) || Double.isInfinite(boardPowerW)) {
            throw new IllegalArgumentException("board power must be a finite number of watts >= 0, got " + boardPowerW);
        }
        long energyMjPerHour = CostModel.energyMjFromPower(boardPowerW, CostModel.MS_PER_HOUR);
        return new OwnershipCost(
                price.getCapexPerGpuMicroUsd(),
                CostModel.onPremFixedMonthlyMicroUsd(price),
                java.math.BigDecimal.valueOf(price.getYearlyOpsPerGpuMicroUsd())
                        .divide(java.math.BigDecimal.valueOf(12), 0, java.math.RoundingMode.HALF_EVEN).longValueExact(),
                CostModel.energyCostMicroUsd(price, energyMjPerHour));
    }
}
