package costline.streams;

import costline.events.CloudPlacement;
import costline.events.GpuSample;
import costline.events.Site;
import costline.events.Source;
import costline.events.WorkloadShare;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Builders of GPU samples for the streams tests. */
public final class Samples {

    public static final String A100_MODEL = "NVIDIA A100-SXM4-40GB";
    public static final String H100_MODEL = "NVIDIA H100 80GB HBM3";

    private Samples() {
    }

    /** A cloud A100 in a p4d.24xlarge in us-east-1. */
    public static GpuSample.Builder cloud(String gpuId, Instant end, long intervalMs, float util) {
        return GpuSample.newBuilder()
                .setSampleTime(end).setIntervalMs(intervalMs)
                .setSource(Source.CLOUDWATCH).setSite(Site.CLOUD)
                .setHost("ip-10-0-3-17").setGpuId(gpuId).setGpuIndex(0).setGpuModel(A100_MODEL)
                .setCloud(CloudPlacement.newBuilder().setProvider("aws").setRegion("us-east-1")
                        .setInstanceType("p4d.24xlarge").setInstanceId("i-0a1b2c3d4e5f60718").build())
                .setUtilGpuPct(util)
                .setWorkloads(List.of());
    }

    /** An on-prem H100. */
    public static GpuSample.Builder onPrem(String gpuId, Instant end, long intervalMs, float util, Float powerW, Long energyMj) {
        return GpuSample.newBuilder()
                .setSampleTime(end).setIntervalMs(intervalMs)
                .setSource(Source.NVML).setSite(Site.ONPREM)
                .setHost("gpu-node-07").setGpuId(gpuId).setGpuIndex(0).setGpuModel(H100_MODEL)
                .setUtilGpuPct(util).setPowerW(powerW).setEnergyCounterMj(energyMj)
                .setTempC(54).setSmClockMhz(1980)
                .setWorkloads(List.of());
    }

    /** Workload shares: pairs of (workload, share). */
    public static List<WorkloadShare> shares(Object... workloadAndShare) {
        List<WorkloadShare> out = new ArrayList<>();
        for (int i = 0; i < workloadAndShare.length; i += 2) {
            out.add(WorkloadShare.newBuilder().setWorkload((String) workloadAndShare[i]).setTeam("ml")
                    .setShare(((Number) workloadAndShare[i + 1]).floatValue()).build());
        }
        return out;
    }
}
