package costline.streams.cost;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.GpuSample;
import costline.events.PriceEntry;
import costline.events.Site;
import costline.events.WorkloadShare;
import costline.pricing.Shares;
import costline.streams.Samples;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** The reference: a sample's parts as they were computed before the arrays and the remembered utilizations. */
    private static List<Part> partsWithMaps(GpuSample s, PriceEntry price, long energyMj, long intervalMs, int samples) {
        Map<String, double[]> shares = new LinkedHashMap<>();
        Map<String, String> teams = new LinkedHashMap<>();
        double sum = 0;
        for (WorkloadShare w : s.getWorkloads()) {
            shares.computeIfAbsent(w.getWorkload(), k -> new double[1])[0] += w.getShare();
            if (w.getTeam() != null) {
                teams.put(w.getWorkload(), w.getTeam());
            }
            sum += w.getShare();
        }
        if (shares.isEmpty() || sum < 1 - CostCalculator.SHARE_TOLERANCE) {
            shares.computeIfAbsent(CostCalculator.UNALLOCATED, k -> new double[1])[0] += Math.max(0, 1 - sum);
        }
        String[] names = shares.keySet().toArray(String[]::new);
        double[] weights = new double[names.length];
        for (int i = 0; i < names.length; i++) {
            weights[i] = shares.get(names[i])[0];
        }
        long total = CostCalculator.totalMicroUsd(s, price, energyMj, intervalMs);
        long[] cost = Shares.split(total, weights);
        long[] ms = Shares.split(intervalMs, weights);
        long[] energy = s.getSite() == Site.CLOUD ? new long[names.length] : Shares.split(energyMj, weights);
        BigDecimal util = s.getUtilGpuPct() == null ? BigDecimal.ZERO : new BigDecimal(Float.toString(s.getUtilGpuPct()));
        List<Part> out = new ArrayList<>(names.length);
        for (int i = 0; i < names.length; i++) {
            long busyCost = busyBigDecimal(cost[i], util);
            out.add(new Part(names[i], teams.get(names[i]), ms[i], busyBigDecimal(ms[i], util), cost[i], cost[i] - busyCost,
                    energy[i], samples));
        }
        return out;
    }

    @Test
    void aSamplesPartsAreTheOnesTheMapsAndBigDecimalsGave() {
        // repeated names (their shares add up, the last team stays), a workload literally named unallocated, shares
        // that miss 1 (the rest unallocated) or exceed it, no workloads, utilizations seen before and new ones, no
        // utilization, on-prem energy of either sign, intervals from 1 ms to a day
        SplittableRandom r = new SplittableRandom(1406);
        String[] names = {"train-a", "train-b", "serve", CostCalculator.UNALLOCATED, "etl", "eval"};
        PriceEntry cloud = CostDriver.cloudPrice("32.77", Instant.parse("2025-01-01T00:00:00Z"));
        PriceEntry onPrem = CostDriver.onPremPrice();
        Instant end = Instant.parse("2025-06-01T12:00:00Z");
        for (int i = 0; i < 200_000; i++) {
            long intervalMs = r.nextInt(4) == 0 ? r.nextLong(1, 86_400_001L) : 1_000L * r.nextInt(1, 61);
            float util = switch (r.nextInt(4)) {
                case 0 -> r.nextInt(0, 101);
                case 1 -> r.nextInt(0, 1001) / 10f;
                case 2 -> Float.intBitsToFloat(r.nextInt(0, Float.floatToIntBits(100f) + 1));
                default -> (float) r.nextDouble(0, 100);
            };
            boolean onPremSite = r.nextBoolean();
            GpuSample.Builder b = onPremSite ? Samples.onPrem("gpu-1", end, intervalMs, util, 400f, null)
                    : Samples.cloud("gpu-1", end, intervalMs, util);
            if (r.nextInt(10) == 0) {
                b.setUtilGpuPct(null);
            }
            List<WorkloadShare> shares = new ArrayList<>();
            int n = r.nextInt(0, 6);
            for (int k = 0; k < n; k++) {
                float share = switch (r.nextInt(3)) {
                    case 0 -> 1f / n;
                    case 1 -> (float) r.nextDouble();
                    default -> r.nextInt(0, 5) / 4f;
                };
                shares.add(WorkloadShare.newBuilder().setWorkload(names[r.nextInt(names.length)])
                        .setTeam(r.nextBoolean() ? null : "team-" + r.nextInt(3)).setShare(share).build());
            }
            GpuSample s = b.setWorkloads(shares).build();
            long energyMj = onPremSite ? r.nextLong(-1_000_000_000L, 10_000_000_000L) : 0;
            int samples = r.nextInt(2);
            PriceEntry price = onPremSite ? onPrem : cloud;
            List<Part> expected = partsWithMaps(s, price, energyMj, intervalMs, samples);
            List<Part> actual = CostCalculator.parts(s, price, energyMj, intervalMs, samples);
            if (!actual.equals(expected)) {
                assertThat(actual).as("%s, %d mJ, %d ms", s, energyMj, intervalMs).isEqualTo(expected);
            }
        }
    }
}
