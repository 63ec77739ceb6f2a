package costline.streams.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import costline.schemas.Topics;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DriftSettingsTest {

    @Test
    void emptySettingsGiveTheDocumentedDefaults() {
        DriftConfig c = DriftSettings.from(Map.of("schema.registry.url", "http://localhost:8081"));
        assertThat(c.samplesTopic()).isEqualTo(Topics.GPU_SAMPLES);
        assertThat(c.costTopic()).isEqualTo(Topics.GPU_COST);
        assertThat(c.driftTopic()).isEqualTo(Topics.GPU_DRIFT);
        assertThat(c.defaults()).isEqualTo(DriftThresholds.DEFAULTS);
        assertThat(c.defaults().idleFloorPct()).isEqualTo(10.0);
        assertThat(c.defaults().idleAfter()).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.workloadBucket()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.workloadOverrides()).isEmpty();
    }

    @Test
    void workloadOverridesStartFromTheConfiguredDefaults() {
        DriftConfig c = DriftSettings.from(Map.of(
                "schema.registry.url", "mock://x",
                "drift.idle.after", "45m",
                "drift.cusum.h", "10",
                "drift.workload.team.a.notebook.idle.floor.pct", "5",
                "drift.workload.team.a.notebook.confirm.samples", "20",
                "drift.workload.bucket", "PT30S"));
        assertThat(c.defaults().idleAfter()).isEqualTo(Duration.ofMinutes(45));
        DriftThresholds nb = c.thresholdsFor("team.a.notebook");
        assertThat(nb.idleFloorPct()).isEqualTo(5.0);
        assertThat(nb.detector().confirmSamples()).isEqualTo(20);
        assertThat(nb.detector().cusumH()).as("inherited from drift.cusum.h").isEqualTo(10.0);
        assertThat(nb.idleAfter()).isEqualTo(Duration.ofMinutes(45));
        assertThat(c.thresholdsFor("other")).isEqualTo(c.defaults());
        assertThat(c.workloadBucket()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void badSettingsStopStartUpNamingTheKeyAndTheFix() {
        assertThatThrownBy(() -> DriftSettings.from(Map.of("schema.registry.url", "mock://x",
                "drift.workload.nb.idle.floor.pct", "150")))
                .hasMessageContaining("drift.workload.nb.idle.floor.pct").hasMessageContaining("(0, 100]");
        assertThatThrownBy(() -> DriftSettings.from(Map.of("schema.registry.url", "mock://x",
                "drift.idle.after", "half an hour")))
                .hasMessageContaining("drift.idle.after").hasMessageContaining("30m");
        assertThatThrownBy(() -> DriftSettings.from(Map.of("schema.registry.url", "mock://x",
                "drift.cusum.hh", "8")))
                .hasMessageContaining("unknown drift setting 'drift.cusum.hh'");
        assertThatThrownBy(() -> DriftSettings.from(Map.of("schema.registry.url", "mock://x",
                "drift.warmup.samples", "ten")))
                .hasMessageContaining("drift.warmup.samples").hasMessageContaining("not a whole number");
        assertThatThrownBy(() -> DriftSettings.from(Map.of()))
                .hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> DriftSettings.from(Map.of("schema.registry.url", "mock://x",
                "drift.severity.critical.pct", "10")))
                .hasMessageContaining("drift.severity.critical.pct");
    }
}
