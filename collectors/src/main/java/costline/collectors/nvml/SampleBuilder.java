package costline.collectors.nvml;

import costline.collectors.nvml.GpuReading.HealthReading;
import costline.events.GpuHealth;
import costline.events.GpuSample;
import costline.events.HealthState;
import costline.events.MigInstance;
import costline.events.Site;
import costline.events.Source;
import costline.events.WorkloadShare;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Maps an NVML reading to a GpuSample: NVML units to the event's units, health counters to a state. Pure: no
 * NVML calls, so it is tested on readings alone.
 */
public final class SampleBuilder {

    /**
     * XIDs that mean the hardware, not the application, failed: 48 double-bit ECC, 63/64 page retirement or row
     * remap events, 74 NVLink, 79 fell off the bus, 92 high single-bit ECC rate, 94/95 contained/uncontained ECC.
     */
    static final Set<Integer> HARDWARE_XIDS = Set.of(48, 63, 64, 74, 79, 92, 94, 95);

    private final String host;

    public SampleBuilder(String host) {
        this.host = host;
    }

    public GpuSample build(GpuReading r, long intervalMs, List<WorkloadShare> workloads) {
        return GpuSample.newBuilder()
                .setSampleTime(Instant.ofEpochMilli(r.readAtMillis()))
                .setIntervalMs(intervalMs)
                .setSource(Source.NVML)
                .setSite(Site.ONPREM)
                .setHost(host)
                .setGpuId(r.uuid())
                .setGpuIndex(r.index())
                .setGpuModel(r.name())
                .setCloud(null)
                .setUtilGpuPct(r.utilGpuPct() == null ? null : r.utilGpuPct().floatValue())
                .setUtilMemPct(r.utilMemPct() == null ? null : r.utilMemPct().floatValue())
                .setMemUsedBytes(r.memUsedBytes())
                .setMemTotalBytes(r.memTotalBytes())
                .setPowerW(r.powerMilliwatts() == null ? null : r.powerMilliwatts() / 1000f)
                .setEnergyCounterMj(energyCounter(r.energyMillijoules()))
                .setTempC(r.tempC())
                .setSmClockMhz(r.smClockMhz())
                .setHealth(health(r))
                .setMigEnabled(r.migEnabled())
                .setMigInstances(r.migInstances().stream()
                        .map(m -> new MigInstance(m.uuid(), m.gpuInstanceId(), m.computeInstanceId(),
                                m.memTotalBytes(), m.memUsedBytes()))
                        .toList())
                .setWorkloads(workloads)
                .build();
    }

    /**
     * NVML's energy counter is an unsigned 64-bit count of mJ; read into a Java long, a value past 2^63 is negative,
     * which the pipeline refuses (the whole sample would be dead-lettered). Such a sample is sent without the
     * counter: it is charged power x interval, and the next readable value becomes the consumers' new baseline.
     */
    static Long energyCounter(Long unsignedMillijoules) {
        return unsignedMillijoules == null || unsignedMillijoules < 0 ? null : unsignedMillijoules;
    }

    static GpuHealth health(GpuReading r) {
        HealthReading h = r.health() == null ? HealthReading.NONE : r.health();
        HealthState state;
        if (r.lost()) {
            state = HealthState.LOST;
        } else if (positive(h.eccUncorrected()) || Boolean.TRUE.equals(h.retirementPending())
                || (h.lastXid() != null && HARDWARE_XIDS.contains(h.lastXid()))) {
            state = HealthState.DEGRADED;
        } else if (h.eccUncorrected() == null && h.retiredPages() == null && h.retirementPending() == null) {
            state = HealthState.UNKNOWN; // nothing to judge by (counters not offered, or not read yet)
        } else {
            state = HealthState.OK;
        }
        String detail = r.errors().isEmpty() ? null : r.errors().entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue())
                .sorted()
                .collect(Collectors.joining("; "));
        return new GpuHealth(state, h.eccUncorrected(), h.eccCorrected(), h.retiredPages(), h.lastXid(), detail);
    }

    private static boolean positive(Long value) {
        return value != null && value > 0;
    }
}
