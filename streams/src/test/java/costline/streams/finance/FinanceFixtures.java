package costline.streams.finance;

import costline.events.CloudPrice;
import costline.events.CostRecord;
import costline.events.OnPremPrice;
import costline.events.PriceEntry;
import costline.events.Site;
import costline.pricing.CostModel;
import java.time.Instant;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.streams.StreamsConfig;

/** Events and driver settings the finance topology tests share. */
public final class FinanceFixtures {

    public static final String A100 = "NVIDIA A100-SXM4-40GB";

    private FinanceFixtures() {
    }

    /**
     * TopologyTestDriver settings: exactly_once_v2 and a state folder of the driver's own (the default,
     * /tmp/kafka-streams/<application id>, is shared by every build on the machine: two of them running the same test
     * at once fail on RocksDB's lock).
     */
    public static Properties driverProps(String app) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, app);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/costline-tt-" + UUID.randomUUID());
        return p;
    }

    /** One minute of {@code gpus} cloud GPUs, fully busy, at {@code dollarsPerGpuHour}. */
    public static CostRecord cloudMinute(String workload, String model, Instant minuteStart, double gpus, String dollarsPerGpuHour) {
        long gpuMs = Math.round(gpus * 60_000);
        long cost = Math.round(CostModel.microUsd(dollarsPerGpuHour) * gpus / 60);
        return cost(workload, "team-" + workload, Site.CLOUD, model, minuteStart, gpuMs, gpuMs, cost, 0, 0);
    }

    public static CostRecord cost(String workload, String team, Site site, String model, Instant start, long gpuMs,
                                  long busyMs, long costMicroUsd, long idleMicroUsd, long energyMj) {
        return CostRecord.newBuilder()
                .setWorkload(workload).setTeam(team).setSite(site).setGpuModel(model)
                .setWindowStart(start).setWindowEnd(start.plusSeconds(60))
                .setGpuMs(gpuMs).setBusyGpuMs(busyMs).setCostMicroUsd(costMicroUsd).setIdleMicroUsd(idleMicroUsd)
                .setEnergyMj(energyMj).setSamples(1)
                .build();
    }

    /** The classic on-prem server: $160,000 for 8 GPUs, 36 months, $20,000 a year of ops (power included). */
    public static PriceEntry onPremA100(String model, long energyMicroUsdPerKwh) {
        return PriceEntry.newBuilder()
                .setPriceKey("onprem:" + model).setSite(Site.ONPREM).setGpuModel(model)
                .setEffectiveFrom(Instant.parse("2026-01-01T00:00:00Z"))
                .setOnprem(OnPremPrice.newBuilder()
                        .setCapexPerGpuMicroUsd(CostModel.microUsd("20000"))
                        .setResidualPerGpuMicroUsd(0)
                        .setAmortizationMonths(36)
                        .setYearlyOpsPerGpuMicroUsd(CostModel.microUsd("2500"))
                        .setPue(1.0)
                        .setEnergyMicroUsdPerKwh(energyMicroUsdPerKwh)
                        .build())
                .build();
    }

    public static PriceEntry cloudP4d() {
        return PriceEntry.newBuilder()
                .setPriceKey("aws:us-east-1:p4d.24xlarge").setSite(Site.CLOUD).setGpuModel(A100)
                .setEffectiveFrom(Instant.parse("2026-01-01T00:00:00Z"))
                .setCloudPrice(CloudPrice.newBuilder().setProvider("aws").setRegion("us-east-1")
                        .setInstanceType("p4d.24xlarge").setGpusPerInstance(8)
                        .setInstanceHourlyMicroUsd(CostModel.microUsd("32")).build())
                .build();
    }
}
