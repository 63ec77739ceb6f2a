package costline.app.simulate;

import costline.events.GpuHealth;
import costline.events.GpuSample;
import costline.events.HealthState;
import costline.events.Site;
import costline.events.Source;
import costline.events.WorkloadShare;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates the fleet's samples on a simulated clock, one round (every running GPU once) per interval.
 * Deterministic for a seed, so a run can be reproduced and its totals checked.
 */
public final class FleetSimulator {

    private final List<SimulatedGpu> fleet;
    private final Duration interval;
    private final Random random;
    /** Cumulative energy counter per on-prem GPU, millijoules, as NVML keeps it. */
    private final Map<String, Long> energyCounters = new HashMap<>();

    public FleetSimulator(List<SimulatedGpu> fleet, Duration interval, long seed) {
        this.fleet = List.copyOf(fleet);
        this.interval = interval;
        this.random = new Random(seed);
    }

    public Duration interval() {
        return interval;
    }

    /** The samples of the round that ends at {@code end} (each covers [end - interval, end)). */
    public List<GpuSample> round(Instant end) {
        List<GpuSample> samples = new ArrayList<>(fleet.size());
        Instant start = end.minus(interval);
        for (SimulatedGpu gpu : fleet) {
            double util = gpu.demand().utilization(gpu.slot(), start, random);
            if (Double.isNaN(util)) {
                continue; // instance not running: no sample, no cost
            }
            boolean allocated = gpu.workload() != null;
            double power = gpu.idleW() + (gpu.maxW() - gpu.idleW()) * util / 100.0;
            GpuSample.Builder sample = GpuSample.newBuilder()
                    .setSampleTime(end)
                    .setIntervalMs(interval.toMillis())
                    .setSource(Source.SIMULATED)
                    .setSite(gpu.site())
                    .setHost(gpu.host())
                    .setGpuId(gpu.gpuId())
                    .setGpuIndex(gpu.index())
                    .setGpuModel(gpu.model())
                    .setCloud(gpu.cloud())
                    .setUtilGpuPct((float) util)
                    .setUtilMemPct((float) (util * 0.45))
                    .setMemUsedBytes(allocated ? (long) (gpu.memTotal() * Math.min(0.95, 0.2 + util / 125.0)) : 0L)
                    .setMemTotalBytes(gpu.memTotal())
                    .setPowerW((float) power)
                    .setTempC((int) Math.round(30 + util * 0.3))
                    .setSmClockMhz(util < 5 ? 345 : 1410 + (int) (util * 5.7))
                    .setHealth(GpuHealth.newBuilder().setState(HealthState.OK).build())
                    .setMigEnabled(gpu.site() == Site.ONPREM ? Boolean.FALSE : null)
                    .setWorkloads(allocated
                            ? List.of(WorkloadShare.newBuilder().setWorkload(gpu.workload()).setTeam(gpu.team()).setShare(1f).build())
                            : List.of());
            if (gpu.site() == Site.ONPREM) {
                long counter = energyCounters.merge(gpu.gpuId(), Math.round(power * interval.toMillis()), Long::sum);
                sample.setEnergyCounterMj(counter);
            }
            samples.add(sample.build());
        }
        return samples;
    }
}
