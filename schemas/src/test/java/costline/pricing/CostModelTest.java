package costline.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import costline.events.CloudPrice;
import costline.events.OnPremPrice;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CostModelTest {

    static final CloudPrice P4D = CloudPrice.newBuilder().setProvider("aws").setRegion("us-east-1")
            .setInstanceType("p4d.24xlarge").setGpusPerInstance(8).setPricingModel("ON_DEMAND")
            .setInstanceHourlyMicroUsd(32_770_000L).build();

    // $160,000 server of 8 GPUs -> $20,000 per GPU, no residual, 36 months, $20,000/year of ops for 8 -> $2,500 per GPU.
    static final OnPremPrice SERVER = OnPremPrice.newBuilder().setCapexPerGpuMicroUsd(20_000_000_000L)
            .setResidualPerGpuMicroUsd(0).setAmortizationMonths(36).setYearlyOpsPerGpuMicroUsd(2_500_000_000L)
            .setPue(1.5).setEnergyMicroUsdPerKwh(120_000L).build();

    @Test
    void cloudRateIsInstancePriceOverGpus() {
        // $32.77 / 8 = $4.09625 per GPU-hour; one second of it = 4,096,250 / 3600 = 1137.847.. -> 1138.
        assertThat(CostModel.cloudMicroUsdPerGpuHour(P4D)).isEqualTo(4_096_250L);
        assertThat(CostModel.cloudCostMicroUsd(P4D, 1000)).isEqualTo(1138L);
        assertThat(CostModel.cloudCostMicroUsd(P4D, 60_000)).isEqualTo(68_271L); // 4,096,250 / 60 = 68,270.83
    }

    @Test
    void onPremFixedRateAmortizesCapexAndOps() {
        // 20,000 / (36 x 730) = 0.761035 $/h, 2,500 / 8760 = 0.285388 $/h: 1.046423 $/h.
        // Exactly: 20e9/26280 + 2.5e9/8760 = 761035.007.. + 285388.127.. = 1046423.135 micro-USD.
        assertThat(CostModel.onPremFixedCostMicroUsd(SERVER, CostModel.MS_PER_HOUR)).isEqualTo(1_046_423L);
        // A month: 20,000/36 + 2,500/12 = 555.5556 + 208.3333 = 763.8889 $.
        assertThat(CostModel.onPremFixedMonthlyMicroUsd(SERVER)).isEqualTo(763_888_889L);
    }

    @Test
    void energyCostUsesPueAndKwhPrice() {
        // 700 W for one hour = 2,520,000,000 mJ = 0.7 kWh; x 1.5 x $0.12 = $0.126.
        long mj = CostModel.energyMjFromPower(700, CostModel.MS_PER_HOUR);
        assertThat(mj).isEqualTo(2_520_000_000L);
        assertThat(CostModel.energyCostMicroUsd(SERVER, mj)).isEqualTo(126_000L);
    }

    @Test
    void dollarsConvertExactly() {
        assertThat(CostModel.microUsd("32.77")).isEqualTo(32_770_000L);
        assertThat(CostModel.toDollarsCents(1_005_000L)).isEqualTo(new BigDecimal("1.00")); // half-even
        assertThat(CostModel.toDollarsCents(1_015_000L)).isEqualTo(new BigDecimal("1.02"));
        assertThatThrownBy(() -> CostModel.microUsd("0.0000001")).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void splitsSumExactlyToTheTotal() {
        assertThat(Shares.split(100, new double[] {1, 1, 1})).containsExactly(34, 33, 33);
        assertThat(Shares.split(10, new double[] {0, 0})).containsExactly(5, 5);
        assertThat(Shares.split(-7, new double[] {0.5, 0.5})).containsExactly(-3, -4);
        Random random = new Random(1);
        for (int i = 0; i < 1000; i++) {
            double[] w = new double[1 + random.nextInt(6)];
            for (int j = 0; j < w.length; j++) {
                w[j] = random.nextFloat();
            }
            long total = random.nextLong(10_000_000_000L);
            long[] parts = Shares.split(total, w);
            assertThat(Arrays.stream(parts).sum()).isEqualTo(total);
        }
    }
}
