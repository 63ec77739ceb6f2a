package costline.streams.breakeven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import costline.events.OnPremPrice;
import costline.events.Recommendation;
import costline.pricing.CostModel;
import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BreakEvenCalculatorTest {

    /** 8 x A100 at $32/h for the instance; a $160,000 8-GPU server with $20,000 a year of power, cooling, rack, ops. */
    static final long CLOUD_PER_GPU_HOUR = CostModel.microUsd("32") / 8;

    static OwnershipCost classicServer() {
        OnPremPrice price = OnPremPrice.newBuilder()
                .setCapexPerGpuMicroUsd(CostModel.microUsd("160000") / 8)
                .setResidualPerGpuMicroUsd(0)
                .setAmortizationMonths(36)
                .setYearlyOpsPerGpuMicroUsd(CostModel.microUsd("20000") / 8)
                .setPue(1.0)
                .setEnergyMicroUsdPerKwh(0) // the $20,000 a year already holds power
                .build();
        return OwnershipCost.of(price, 0);
    }

    @Test
    void eightA100AroundTheClockBreakEvenInAbout7point4MonthsAndBuy() {
        BreakEvenResult r = BreakEvenCalculator.compute(DemandCurve.dailyConstant(8, 24), CLOUD_PER_GPU_HOUR, classicServer());

        assertThat(r.recommendation()).isEqualTo(Recommendation.BUY);
        assertThat(r.optimalOwned()).isEqualTo(8);
        assertThat(r.peakGpus()).isEqualTo(8);
        // 160,000 / (32 x 730 - 20,000 / 12) = 7.3755 months
        assertThat(r.breakEvenMonths()).isCloseTo(7.3755, within(0.0005));
        assertThat(String.format("%.1f", r.breakEvenMonths())).isEqualTo("7.4");
        assertThat(r.hybrid().avoidedMonthlyMicroUsd()).isEqualTo(CostModel.microUsd("23360"));
        assertThat(r.hybrid().cloudMonthlyMicroUsd()).isZero();
        // 12 x (23,360 - 8 x (20,000 / 36 + 2,500 / 12)) = 206,986.67
        assertThat(CostModel.toDollarsCents(r.yearlySavingsMicroUsd())).isEqualByComparingTo("206986.67");
    }

    @Test
    void theSameGpusBusyFourHoursADayStayInTheCloud() {
        BreakEvenResult r = BreakEvenCalculator.compute(DemandCurve.dailyConstant(8, 4), CLOUD_PER_GPU_HOUR, classicServer());

        assertThat(r.recommendation()).isEqualTo(Recommendation.STAY_CLOUD);
        assertThat(r.optimalOwned()).isZero();
        assertThat(r.f(1)).isCloseTo(4.0 / 24, within(1e-12));
        assertThat(r.breakEvenMonths()).isNull();
        assertThat(r.yearlySavingsMicroUsd()).isZero();
        // owning all 8 would lose money: f x $4 x 730 = $486.67 < $763.89 a month per GPU
        assertThat(r.buy().yearlySavingsMicroUsd()).isNegative();
    }

    @Test
    void aSteadyBaseWithPeaksIsHybrid() {
        // 4 GPUs always, 8 GPUs for 2 hours a day
        int[] minutes = new int[1440];
        for (int i = 0; i < minutes.length; i++) {
            minutes[i] = i < 120 ? 8 : 4;
        }
        BreakEvenResult r = BreakEvenCalculator.compute(DemandCurve.ofGpus(60_000, minutes), CLOUD_PER_GPU_HOUR, classicServer());

        assertThat(r.recommendation()).isEqualTo(Recommendation.HYBRID);
        assertThat(r.optimalOwned()).isEqualTo(4);
        assertThat(r.loadDuration()).containsExactly(1, 1, 1, 1, 120.0 / 1440, 120.0 / 1440, 120.0 / 1440, 120.0 / 1440);
        assertThat(r.hybrid().cloudMonthlyMicroUsd()).isEqualTo(Math.round(4 * 4_000_000.0 * 730 / 12));
        assertThat(r.breakEvenMonths()).isCloseTo(80_000.0 / (4 * 4 * 730 - 4 * 2500.0 / 12), within(1e-9));
    }

    @Test
    void electricityWhileInUseCountsAgainstOwning() {
        // 40% busy: pays without energy (0.4 x 4 x 730 = 1168 > 763.89), not with $2.50 an hour of it (0.4 x 1.5 x 730 = 438)
        OwnershipCost base = classicServer();
        OwnershipCost withPower = new OwnershipCost(base.capexPerGpuMicroUsd(), base.fixedMonthlyPerGpuMicroUsd(),
                base.opsMonthlyPerGpuMicroUsd(), CostModel.microUsd("2.5"));
        DemandCurve demand = DemandCurve.dailyConstant(2, 24 * 0.4);

        assertThat(BreakEvenCalculator.compute(demand, CLOUD_PER_GPU_HOUR, base).optimalOwned()).isEqualTo(2);
        assertThat(BreakEvenCalculator.compute(demand, CLOUD_PER_GPU_HOUR, withPower).optimalOwned()).isZero();
    }

    @Test
    void energyRateFollowsBoardPowerPueAndPrice() {
        OnPremPrice price = OnPremPrice.newBuilder().setCapexPerGpuMicroUsd(1).setAmortizationMonths(36)
                .setYearlyOpsPerGpuMicroUsd(0).setPue(1.5).setEnergyMicroUsdPerKwh(CostModel.microUsd("0.12")).build();
        // 0.4 kW x 1.5 x $0.12 = $0.072 per GPU-hour
        assertThat(OwnershipCost.of(price, 400).energyPerBusyGpuHourMicroUsd()).isEqualTo(72_000);
    }

    @Test
    void jitterAboveAWholeGpuDoesNotTurnBuyIntoHybrid() {
        long[] ms = new long[1440];
        for (int i = 0; i < ms.length; i++) {
            ms[i] = 8 * 60_000L + (i % 7 == 0 ? 3 : 0);
        }
        BreakEvenResult r = BreakEvenCalculator.compute(new DemandCurve(60_000, ms), CLOUD_PER_GPU_HOUR, classicServer());
        assertThat(r.peakGpus()).isEqualTo(8);
        assertThat(r.recommendation()).isEqualTo(Recommendation.BUY);
    }

    /**
     * Property: N* is the smallest number of owned GPUs that maximizes the saving over the window, found by trying
     * every k on the raw demand (owning k GPUs covers min(demand, k) in every slot), without the load-duration
     * curve. Randomized curves: steady bases, bursts, fractional demand, idle stretches; prices from cheap to dear.
     */
    @Test
    void optimalOwnedEqualsBruteForceOverKOnRandomDemand() {
        SplittableRandom random = new SplittableRandom(20261127L);
        int disagreements = 0;
        int[] byRecommendation = new int[3];
        for (int trial = 0; trial < 600; trial++) {
            DemandCurve demand = randomDemand(random);
            long rate = 500_000 + random.nextLong(6_000_000);
            OwnershipCost owning = new OwnershipCost(random.nextLong(40_000_000_000L),
                    100_000_000 + random.nextLong(2_500_000_000L), 0, random.nextLong(400_000));
            BreakEvenResult r = BreakEvenCalculator.compute(demand, rate, owning);
            int brute = bruteForce(demand, rate, owning);
            if (r.optimalOwned() != brute) {
                disagreements++;
            }
            byRecommendation[r.recommendation().ordinal()]++;
        }
        assertThat(disagreements).isZero();
        // the generator must reach every outcome, or the property says little
        assertThat(java.util.Arrays.stream(byRecommendation).min().getAsInt()).as("fewest trials of one outcome").isGreaterThan(30);
    }

    static DemandCurve randomDemand(SplittableRandom random) {
        int slots = 60 + random.nextInt(2000);
        long slotMs = 60_000;
        int base = random.nextInt(6);
        int burst = random.nextInt(4) == 0 ? 0 : random.nextInt(12);
        double burstShare = random.nextDouble();
        boolean messy = random.nextBoolean(); // partial GPUs and idle slots, or whole steady GPUs
        long[] ms = new long[slots];
        for (int i = 0; i < slots; i++) {
            double gpus = base + (random.nextDouble() < burstShare ? random.nextInt(burst + 1) : 0);
            if (messy && random.nextInt(10) == 0) {
                gpus += random.nextDouble(); // a GPU used for part of the slot
            }
            if (messy && random.nextInt(20) == 0) {
                gpus = 0;
            }
            ms[i] = Math.round(gpus * slotMs);
        }
        return new DemandCurve(slotMs, ms);
    }

    /** Saving x window of owning k, exactly: sum over slots of min(demand, k) x (rate - energy) x 730 - k x fixed x window. */
    static int bruteForce(DemandCurve demand, long rate, OwnershipCost owning) {
        long[] slots = demand.gpuMsPerSlot();
        int maxK = demand.maxGpusCeil() + 2;
        BigInteger best = null;
        int bestK = 0;
        for (int k = 0; k <= maxK; k++) {
            long covered = 0;
            for (long v : slots) {
                covered += Math.min(v, k * demand.slotMs());
            }
            BigInteger saving = BigInteger.valueOf(covered)
                    .multiply(BigInteger.valueOf((rate - owning.energyPerBusyGpuHourMicroUsd()) * CostModel.HOURS_PER_MONTH))
                    .subtract(BigInteger.valueOf(k).multiply(BigInteger.valueOf(owning.fixedMonthlyPerGpuMicroUsd()))
                            .multiply(BigInteger.valueOf(demand.windowMs())));
            if (best == null || saving.compareTo(best) > 0) {
                best = saving;
                bestK = k;
            }
        }
        return bestK;
    }
}
