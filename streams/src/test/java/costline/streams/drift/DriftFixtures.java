package costline.streams.drift;

import costline.events.CostRecord;
import costline.events.GpuSample;
import costline.events.Site;
import costline.events.Source;
import costline.events.WorkloadShare;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Builders of the topology's input events, as the collectors and the cost topology write them. */
final class DriftFixtures {

    static final String H100 = "NVIDIA H100 80GB HBM3";

    private DriftFixtures() {
    }

    /** A 1 s on-prem sample of one GPU; workloads as (name, share) pairs. */
    static GpuSample sample(String gpu, long timeMs, Float util, Float powerW, Object... workloadShares) {
        return sample(gpu, timeMs, 1000, util, powerW, workloadShares);
    }

    /** A sample covering intervalMs up to timeMs. */
    static GpuSample sample(String gpu, long timeMs, long intervalMs, Float util, Float powerW,
                            Object... workloadShares) {
        List<WorkloadShare> shares = new ArrayList<>();
        for (int i = 0; i < workloadShares.length; i += 2) {
            shares.add(WorkloadShare.newBuilder().setWorkload((String) workloadShares[i]).setTeam("ml")
                    .setShare(((Number) workloadShares[i + 1]).floatValue()).build());
        }
        return GpuSample.newBuilder()
                .setSampleTime(Instant.ofEpochMilli(timeMs))
                .setIntervalMs(intervalMs)
                .setSource(Source.SIMULATED)
                .setSite(Site.ONPREM)
                .setHost("node-1")
                .setGpuId(gpu)
                .setGpuIndex(0)
                .setGpuModel(H100)
                .setUtilGpuPct(util)
                .setPowerW(powerW)
                .setWorkloads(shares)
                .build();
    }

    /** One minute of cost for a workload on on-prem H100s. */
    static CostRecord cost(String workload, long minuteStart, long gpuMs, long costMicroUsd) {
        return CostRecord.newBuilder()
                .setWorkload(workload)
                .setTeam("ml")
                .setSite(Site.ONPREM)
                .setGpuModel(H100)
                .setWindowStart(Instant.ofEpochMilli(minuteStart))
                .setWindowEnd(Instant.ofEpochMilli(minuteStart + 60_000))
                .setGpuMs(gpuMs)
                .setBusyGpuMs(0)
                .setCostMicroUsd(costMicroUsd)
                .setIdleMicroUsd(costMicroUsd)
                .setSamples(60)
                .build();
    }
}
