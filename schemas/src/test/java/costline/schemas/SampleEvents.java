package costline.schemas;

import costline.events.CloudPlacement;
import costline.events.GpuHealth;
import costline.events.GpuSample;
import costline.events.HealthState;
import costline.events.Site;
import costline.events.Source;
import costline.events.WorkloadShare;
import java.time.Instant;
import java.util.List;

/** Typical events for tests and benchmarks. */
public final class SampleEvents {

    private SampleEvents() {
    }

    /** An on-prem H100 sample with one workload, as the NVML collector publishes it every second. */
    public static GpuSample onPremSample(int i) {
        return GpuSample.newBuilder()
                .setSampleTime(Instant.ofEpochMilli(1_793_000_000_000L + i * 1000L))
                .setIntervalMs(1000)
                .setSource(Source.NVML)
                .setSite(Site.ONPREM)
                .setHost("gpu-node-07")
                .setGpuId("GPU-3f1c2a9e-8d4b-4c1f-9a7e-2b6d5c8e1f04")
                .setGpuIndex(i % 8)
                .setGpuModel("NVIDIA H100 80GB HBM3")
                .setUtilGpuPct(87f + i % 10)
                .setUtilMemPct(41f)
                .setMemUsedBytes(61_203_283_968L)
                .setMemTotalBytes(85_520_809_984L)
                .setPowerW(612.5f)
                .setEnergyCounterMj(null)
                .setTempC(54)
                .setSmClockMhz(1980)
                .setHealth(GpuHealth.newBuilder().setState(HealthState.OK).setEccUncorrectedVolatile(0L).build())
                .setMigEnabled(false)
                .setWorkloads(List.of(WorkloadShare.newBuilder()
                        .setWorkload("llm-pretrain").setTeam("ml-platform").setShare(1f).setPid(48213).build()))
                .build();
    }

    /** A cloud sample with nulls where CloudWatch reports nothing. */
    public static GpuSample cloudSample() {
        return GpuSample.newBuilder()
                .setSampleTime(Instant.parse("2026-10-31T23:59:00Z"))
                .setIntervalMs(60_000)
                .setSource(Source.CLOUDWATCH)
                .setSite(Site.CLOUD)
                .setHost("ip-10-0-3-17")
                .setGpuId("i-0a1b2c3d4e5f60718/3")
                .setGpuIndex(3)
                .setGpuModel("NVIDIA A100-SXM4-40GB")
                .setCloud(CloudPlacement.newBuilder().setProvider("aws").setRegion("us-east-1")
                        .setZone("us-east-1a").setInstanceType("p4d.24xlarge").setInstanceId("i-0a1b2c3d4e5f60718").build())
                .setUtilGpuPct(null)
                .setWorkloads(List.of())
                .build();
    }
}
