package costline.streams.cost;

import costline.events.GpuSample;
import costline.streams.Samples;
import costline.streams.prices.PriceBook;
import costline.streams.prices.PriceCatalog;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The costing of one sample alone ({@link SampleCosting#cost}: prices, energy meter, cost model, shares, busy/idle,
 * minutes), without Kafka or stores: CPU time per sample of this thread, over the samples the cost benchmark sends
 * (2,000 GPUs, half cloud half on-prem, two workloads on 4 GPUs of 5), with the de-duplication memory left out (it is
 * the stores' work, measured by `scripts/bench.sh cost`). The baseline is an empty loop over the same samples (it sums
 * their intervals): what the figure holds besides the costing.
 *
 * <p>Run: {@code scripts/bench.sh costing [samples, default 2,000,000]}.
 */
public final class SampleCostingBench {

    private static final int GPUS = 2_000;

    private SampleCostingBench() {
    }

    /** What the costing remembers: energy per GPU; nothing seen (every sample is new). */
    private static final class Memory implements SampleCosting.State {
        final Map<String, EnergyMeter.State> energy = new HashMap<>();

        @Override
        public StateCodec.Seen seen(long sampleTimeMs, String gpuId) {
            return null;
        }

        @Override
        public void seen(long sampleTimeMs, String gpuId, StateCodec.Seen seen) {
        }

        @Override
        public EnergyMeter.State energy(String gpuId) {
            return energy.get(gpuId);
        }

        @Override
        public void energy(String gpuId, EnergyMeter.State state) {
            energy.put(gpuId, state);
        }
    }

    static GpuSample sample(int i, Instant start) {
        int gpu = i % GPUS;
        Instant t = start.plusSeconds(1 + i / GPUS);
        float util = (i * 37 % 101) + (i % 7) / 10f;
        GpuSample.Builder b = gpu % 2 == 0
                ? Samples.cloud("i-bench" + gpu / 8 + "/" + gpu % 8, t, 1_000, util)
                : Samples.onPrem("GPU-bench-" + gpu, t, 1_000, util, 300f + util * 4, i % 10 == 0 ? 1_000_000L * i : null);
        return b.setWorkloads(gpu % 5 == 0 ? List.of() : Samples.shares("job-" + gpu % 40, 0.5, "job-" + (gpu + 1) % 40, 0.5)).build();
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0].replace(",", "")) : 2_000_000;
        System.out.printf("costline sample costing benchmark, %s, %d cores, java %s%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        PriceBook prices = PriceBook.of(PriceCatalog.readDefault());
        Instant start = Instant.now().minus(Duration.ofDays(1));
        // the samples are built beforehand (as the decoder would hand them over), in rounds that fit the heap
        int round = Math.min(n, 200_000);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Memory memory = new Memory();
        long costNs = 0;
        long loopNs = 0;
        long pieces = 0;
        long check = 0;
        for (int warm = 0; warm < 2; warm++) {
            costNs = 0;
            loopNs = 0;
            for (int from = 0; from < n; from += round) {
                List<GpuSample> batch = new ArrayList<>(round);
                for (int i = from; i < Math.min(n, from + round); i++) {
                    batch.add(sample(i + warm * n, start));
                }
                long t0 = threads.getCurrentThreadCpuTime();
                for (GpuSample s : batch) {
                    check += s.getIntervalMs();
                }
                long t1 = threads.getCurrentThreadCpuTime();
                for (GpuSample s : batch) {
                    SampleCosting.Outcome o = SampleCosting.cost(s, 0, prices, memory, 3_600_000L);
                    if (!(o instanceof SampleCosting.Costed c)) {
                        throw new IllegalStateException("not costed: " + o);
                    }
                    pieces += c.delta().size();
                }
                long t2 = threads.getCurrentThreadCpuTime();
                loopNs += t1 - t0;
                costNs += t2 - t1;
            }
        }
        double usPerSample = costNs / 1_000.0 / n;
        double baselineUs = loopNs / 1_000.0 / n;
        System.out.printf("%,d samples (after as many to warm up), %.2f pieces per sample; load average %s%n", n,
                (double) pieces / (2.0 * n), String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        System.out.printf("costing: %.3f us of CPU per sample (%,.0f samples/s of one core); the empty loop: %.3f us (checksum %d)%n",
                usPerSample, 1e6 / usPerSample, baselineUs, check % 10);
        System.out.printf("costing: %.3f us/sample (%.0f of the empty loop's %.3f us)%n", usPerSample,
                usPerSample / Math.max(1e-9, baselineUs), baselineUs);
    }
}
