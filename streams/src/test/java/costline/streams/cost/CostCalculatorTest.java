package costline.streams.cost;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CostCalculatorTest {

    /** The reference: BigDecimal, as the busy share was computed before the long arithmetic. */
    private static long busyBigDecimal(long amount, BigDecimal util) {
        return BigDecimal.valueOf(amount).multiply(util).divide(BigDecimal.valueOf(100), 0, RoundingMode.HALF_EVEN)
                .longValueExact();
    }

    @Test
    void theBusyShareInLongsIsTheBigDecimalOneForEveryAmountAndUtilization() {
        SplittableRandom r = new SplittableRandom(14);
        for (int i = 0; i < 300_000; i++) {
            float pct = switch (i % 4) {
                case 0 -> r.nextInt(0, 101);                      // whole percentages
                case 1 -> r.nextInt(0, 1001) / 10f;               // one decimal, e.g. 33.3
                case 2 -> Float.intBitsToFloat(r.nextInt(0, Float.floatToIntBits(100f) + 1)); // any float up to 100
                default -> (float) r.nextDouble(0, 100);
            };
            BigDecimal util = new BigDecimal(Float.toString(pct));
            long amount = switch (i % 3) {
                case 0 -> r.nextLong(0, 10_000_000L);
                case 1 -> r.nextLong(-1_000_000_000_000L, 1_000_000_000_000L);
                default -> r.nextLong();
            };
            assertThat(CostCalculator.busy(amount, util)).as("%d x %s %%", amount, util).isEqualTo(busyBigDecimal(amount, util));
        }
    }

    @Test
    void halvesRoundToTheEvenNeighbourAsHalfEvenDoes() {
        // 5 x 50 % = 2.5 -> 2; 7 x 50 % = 3.5 -> 4; -5 x 50 % = -2.5 -> -2; 3 x 50 % = 1.5 -> 2
        assertThat(CostCalculator.busy(5, new BigDecimal("50.0"))).isEqualTo(2);
        assertThat(CostCalculator.busy(7, new BigDecimal("50.0"))).isEqualTo(4);
        assertThat(CostCalculator.busy(-5, new BigDecimal("50.0"))).isEqualTo(-2);
        assertThat(CostCalculator.busy(3, new BigDecimal("50.0"))).isEqualTo(2);
        // 1 x 33.3 % = 0.333 -> 0; 2 x 75 % = 1.5 -> 2
        assertThat(CostCalculator.busy(1, new BigDecimal("33.3"))).isZero();
        assertThat(CostCalculator.busy(2, new BigDecimal("75.0"))).isEqualTo(2);
    }
}
