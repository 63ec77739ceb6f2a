package costline.streams.prices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import costline.events.PriceEntry;
import costline.events.Site;
import costline.pricing.CostModel;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PriceCatalogTest {

    @Test
    void theDefaultCatalogCarriesThePublicFiguresWithTheirSources() {
        List<PriceEntry> entries = PriceCatalog.readDefault();
        PriceEntry before = find(entries, "aws:us-east-1:p4d.24xlarge", "2020-11-02T00:00:00Z");
        PriceEntry after = find(entries, "aws:us-east-1:p4d.24xlarge", "2025-06-01T00:00:00Z");
        assertThat(before.getCloudPrice().getInstanceHourlyMicroUsd()).isEqualTo(32_770_000);
        assertThat(after.getCloudPrice().getInstanceHourlyMicroUsd()).isEqualTo(21_960_000);
        // $21.96 / 8 GPUs = $2.745 per GPU-hour.
        assertThat(CostModel.cloudMicroUsdPerGpuHour(after.getCloudPrice())).isEqualTo(2_745_000);
        assertThat(find(entries, "aws:us-east-1:p5.48xlarge", "2025-06-01T00:00:00Z").getCloudPrice().getInstanceHourlyMicroUsd())
                .isEqualTo(55_040_000);
        assertThat(find(entries, "aws:us-east-1:g5.xlarge", "2021-11-11T00:00:00Z").getCloudPrice().getInstanceHourlyMicroUsd())
                .isEqualTo(1_006_000);
        PriceEntry dgx = find(entries, "onprem:NVIDIA A100-SXM4-40GB", "2020-05-14T00:00:00Z");
        assertThat(dgx.getSite()).isEqualTo(Site.ONPREM);
        assertThat(dgx.getOnprem().getCapexPerGpuMicroUsd()).isEqualTo(25_000_000_000L);   // $200,000 / 8
        assertThat(find(entries, "onprem:NVIDIA H100 80GB HBM3", "2023-01-01T00:00:00Z").getOnprem().getCapexPerGpuMicroUsd())
                .isEqualTo(38_750_000_000L);   // $310,000 / 8
        assertThat(entries).allSatisfy(e -> assertThat(e.getReference()).isNotBlank());
    }

    @Test
    void mistakesNameTheEntryAndTheField() {
        assertThatThrownBy(() -> parse("cloud:\n  - {provider: aws, region: r, instance_type: t, gpu_model: m, gpus_per_instance: 8,"
                + " usd_per_hour: \"1.0000001\", effective_from: 2025-01-01}"))
                .hasMessageContaining("cloud[0] (t)").hasMessageContaining("usd_per_hour").hasMessageContaining("6 decimals");
        assertThatThrownBy(() -> parse("onprem:\n  - {gpu_model: X, effective_from: 2025-01-01, server_capex_usd: \"100\","
                + " gpus_per_server: 3, amortization_months: 48, yearly_ops_per_gpu_usd: \"1\", pue: 1.2, usd_per_kwh: \"0.1\"}"))
                .hasMessageContaining("onprem[0] (X)").hasMessageContaining("does not divide evenly");
        assertThatThrownBy(() -> parse("onprem:\n  - {gpu_model: X, effective_from: 2025-01-01, capex_per_gpu_usd: \"100\","
                + " amortization_months: 48, yearly_ops_per_gpu_usd: \"1\", pue: 0.5, usd_per_kwh: \"0.1\"}"))
                .hasMessageContaining("pue");
        assertThatThrownBy(() -> parse("cloud:\n  - {provider: aws, region: r, instance_type: t, gpu_model: m, gpus_per_instance: 8,"
                + " usd_per_hour: \"1\", effective_from: 2025-01-01, colour: red}"))
                .hasMessageContaining("unknown field 'colour'");
        assertThatThrownBy(() -> parse("cloud:\n  - {provider: aws, region: r, instance_type: t, gpu_model: m, gpus_per_instance: 8,"
                + " usd_per_hour: \"1\", effective_from: yesterday}"))
                .hasMessageContaining("effective_from");
        String twice = "{provider: aws, region: r, instance_type: t, gpu_model: m, gpus_per_instance: 8, usd_per_hour: \"1\", effective_from: 2025-01-01}";
        assertThatThrownBy(() -> parse("cloud:\n  - " + twice + "\n  - " + twice)).hasMessageContaining("two entries for aws:r:t");
    }

    @Test
    void versionKeysSortByTime() {
        assertThat(PriceKeys.versionKey("aws:r:t", 999)).isLessThan(PriceKeys.versionKey("aws:r:t", 1_000));
        assertThat(PriceKeys.versionKey("aws:r:t", 1_748_736_000_000L)).isEqualTo("aws:r:t@001748736000000");
    }

    private static List<PriceEntry> parse(String yaml) {
        return PriceCatalog.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yaml");
    }

    private static PriceEntry find(List<PriceEntry> entries, String key, String from) {
        return entries.stream().filter(e -> e.getPriceKey().equals(key) && e.getEffectiveFrom().equals(Instant.parse(from)))
                .findFirst().orElseThrow(() -> new AssertionError("no " + key + " from " + from));
    }
}
