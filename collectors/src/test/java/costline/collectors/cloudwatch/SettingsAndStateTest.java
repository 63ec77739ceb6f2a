package costline.collectors.cloudwatch;

import costline.collectors.poll.PublishLedger;
import costline.collectors.poll.WatermarkStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up validation, the API cost estimate, and the watermark file. */
class SettingsAndStateTest {

    @TempDir
    Path dir;

    @Test
    void badSettingsFailNamingTheKeyAndTheFix() {
        CloudWatchSettings ok = CloudWatchSettings.defaults(List.of("us-east-1")).validate();
        assertThat(ok.period()).isEqualTo(Duration.ofSeconds(60));
        assertThat(ok.cadence()).isEqualTo(Duration.ofMinutes(5));

        assertThatThrownBy(() -> CloudWatchSettings.defaults(List.of()).validate())
                .hasMessageContaining("regions").hasMessageContaining("--region us-east-1");
        assertThatThrownBy(() -> CloudWatchSettings.defaults(List.of("useast1")).validate())
                .hasMessageContaining("'useast1' is not an AWS region name");
        assertThatThrownBy(() -> ok.withTiming(Duration.ofSeconds(45), Duration.ofMinutes(5), Duration.ofMinutes(10)).validate())
                .hasMessageContaining("period: 45 s");
        assertThatThrownBy(() -> ok.withTiming(Duration.ofSeconds(60), Duration.ofSeconds(90), Duration.ofMinutes(10)).validate())
                .hasMessageContaining("cadence: 90 s must be a whole multiple of the period");
        assertThatThrownBy(() -> ok.withMetrics(EnumSet.noneOf(GpuMetric.class)).validate())
                .hasMessageContaining("metrics: none selected");
        assertThatThrownBy(() -> ok.withEndpoints(URI.create("ftp://x"), null).validate())
                .hasMessageContaining("cloudwatch-endpoint");
        assertThatThrownBy(() -> ok.withTagKeys(" ", "team").validate()).hasMessageContaining("workload-tag");
        assertThatThrownBy(() -> new CloudWatchSettings(ok.regions(), ok.namespace(), ok.period(), ok.cadence(), ok.lateWindow(),
                ok.maxCatchUp(), ok.metrics(), "w", "t", ok.stateFile(), ok.cloudWatchEndpoint(), ok.ec2Endpoint(),
                ok.discoveryRefresh(), ok.ec2Refresh(), ok.retryBaseDelay(), ok.retryMaxDelay(), 4, 501).validate())
                .hasMessageContaining("max-queries-per-call: 501");
    }

    @Test
    void metricNamesParseByCloudWatchNameEnumOrField() {
        assertThat(GpuMetric.parse("nvidia_smi_power_draw")).contains(GpuMetric.POWER);
        assertThat(GpuMetric.parse("mem_used_bytes")).contains(GpuMetric.MEM_USED);
        assertThat(GpuMetric.parse("sm_clock")).contains(GpuMetric.SM_CLOCK);
        assertThat(GpuMetric.parse("fan_speed")).isEmpty();
        assertThat(GpuMetric.mibToBytes(40960)).isEqualTo(42_949_672_960L);
    }

    @Test
    void monthlyCostIsOneCentPerThousandMetricsRequested() {
        // 5,000 metrics every 5 minutes: 8,760 polls in 730 h, 43.8 M metrics, $438.00.
        ApiCostEstimate five = ApiCostEstimate.of(5000, Duration.ofMinutes(5));
        assertThat(five.pollsPerMonth()).isEqualTo(8760);
        assertThat(five.metricsPerMonth()).isEqualTo(43_800_000L);
        assertThat(five.usdPerMonth()).isEqualByComparingTo(new BigDecimal("438.00"));
        // Every minute costs five times as much.
        assertThat(ApiCostEstimate.of(5000, Duration.ofMinutes(1)).usdPerMonth()).isEqualByComparingTo(new BigDecimal("2190.00"));
        assertThat(five.describe(Duration.ofMinutes(5))).contains("$438.00/month").contains("5,000 metrics");
    }

    @Test
    void watermarksRoundTripThroughTheStateFileAndABadFileStopsStartUp() throws Exception {
        Path file = dir.resolve("sub").resolve("w.json");
        WatermarkStore store = new WatermarkStore(file);
        assertThat(store.load()).isEmpty();
        PublishLedger ledger = PublishLedger.empty();
        Instant p0 = Instant.parse("2026-11-27T08:20:00Z");
        assertThat(ledger.record("i-1/0", p0, 7L)).isEqualTo(PublishLedger.Decision.FIRST);
        assertThat(ledger.record("i-1/0", p0.plusSeconds(60), 8L)).isEqualTo(PublishLedger.Decision.FIRST);
        ledger.finalizeBefore(p0.plusSeconds(60));
        store.save(Map.of("us-east-1", ledger));

        PublishLedger back = new WatermarkStore(file).load().get("us-east-1");
        assertThat(back.watermark()).isEqualTo(p0.plusSeconds(60));
        assertThat(back.published("i-1/0", p0)).isFalse();
        assertThat(back.record("i-1/0", p0.plusSeconds(60), 8L)).isEqualTo(PublishLedger.Decision.UNCHANGED);
        assertThat(back.record("i-1/0", p0.plusSeconds(60), 9L)).isEqualTo(PublishLedger.Decision.CORRECTION);
        // No temporary files left behind.
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }

        Files.writeString(file, "{\"version\": 99}");
        assertThatThrownBy(() -> new WatermarkStore(file).load()).hasMessageContaining("state-file").hasMessageContaining("move it away");
    }
}
