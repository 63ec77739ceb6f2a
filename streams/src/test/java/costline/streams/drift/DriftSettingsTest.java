package costline.streams.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import costline.schemas.Topics;
import costline.streams.config.Settings;
import costline.streams.config.SettingsException;
import costline.streams.runtime.SettingsCatalog;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DriftSettingsTest {

    private static DriftConfig read(Map<String, String> values) {
        return DriftConfig.from(Settings.of(values).check(SettingsCatalog.all()));
    }

    @Test
    void emptySettingsGiveTheDocumentedDefaults() {
        DriftConfig c = read(Map.of("schema.registry.url", "http://localhost:8081"));
        assertThat(c.samplesTopic()).isEqualTo(Topics.GPU_SAMPLES);
        assertThat(c.costTopic()).isEqualTo(Topics.GPU_COST);
        assertThat(c.driftTopic()).isEqualTo(Topics.GPU_DRIFT);
        assertThat(c.defaults()).isEqualTo(DriftThresholds.DEFAULTS);
        assertThat(c.defaults().idleFloorPct()).isEqualTo(10.0);
        assertThat(c.defaults().idleAfter()).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.workloadBucket()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.workloadOverrides()).isEmpty();
        assertThat(c).isEqualTo(DriftConfig.defaults("http://localhost:8081"));
    }

    @Test
    void workloadOverridesStartFromTheConfiguredDefaults() {
        DriftConfig c = read(Map.of(
                "schema.registry.url", "mock://x",
                "drift.idle-after", "45m",
                "drift.cusum-h", "10",
                "drift.workload.team.a.notebook.idle-floor-pct", "5",
                "drift.workload.team.a.notebook.confirm-samples", "20",
                "drift.workload-bucket", "PT30S"));
        assertThat(c.defaults().idleAfter()).isEqualTo(Duration.ofMinutes(45));
        DriftThresholds nb = c.thresholdsFor("team.a.notebook");
        assertThat(nb.idleFloorPct()).isEqualTo(5.0);
        assertThat(nb.detector().confirmSamples()).isEqualTo(20);
        assertThat(nb.detector().cusumH()).as("inherited from drift.cusum-h").isEqualTo(10.0);
        assertThat(nb.idleAfter()).isEqualTo(Duration.ofMinutes(45));
        assertThat(c.thresholdsFor("other")).isEqualTo(c.defaults());
        assertThat(c.workloadBucket()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aWorkloadOverrideMayComeFromTheEnvironment() {
        Settings s = Settings.load(null, Map.of("COSTLINE_SCHEMA_REGISTRY_URL", "mock://x",
                "COSTLINE_DRIFT_WORKLOAD_TEAM_A_IDLE_FLOOR_PCT", "7", "COSTLINE_DRIFT_IDLE_AFTER", "1h"))
                .check(SettingsCatalog.all());
        DriftConfig c = DriftConfig.from(s);
        assertThat(c.thresholdsFor("team.a").idleFloorPct()).isEqualTo(7.0);
        assertThat(c.defaults().idleAfter()).as("COSTLINE_DRIFT_IDLE_AFTER is drift.idle-after").isEqualTo(Duration.ofHours(1));
    }

    @Test
    void badSettingsStopStartUpNamingTheKeyAndTheFix() {
        assertThatThrownBy(() -> read(Map.of("schema.registry.url", "mock://x",
                "drift.workload.nb.idle-floor-pct", "150")))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("drift.workload.nb.idle-floor-pct").hasMessageContaining("150")
                .hasMessageContaining("at most 100");
        assertThatThrownBy(() -> read(Map.of("schema.registry.url", "mock://x",
                "drift.workload.nb.idle-floor-pct", "0")))
                .hasMessageContaining("drift.workload.nb.idle-floor-pct").hasMessageContaining("(0, 100]");
        assertThatThrownBy(() -> read(Map.of("schema.registry.url", "mock://x",
                "drift.idle-after", "half an hour")))
                .hasMessageContaining("drift.idle-after").hasMessageContaining("'half an hour' is not a duration")
                .hasMessageContaining("30m");
        assertThatThrownBy(() -> read(Map.of("schema.registry.url", "mock://x",
                "drift.cusum-hh", "8")))
                .hasMessageContaining("'drift.cusum-hh'").hasMessageContaining("is not a costline setting")
                .hasMessageContaining("did you mean 'drift.cusum-h'");
        assertThatThrownBy(() -> read(Map.of("schema.registry.url", "mock://x",
                "drift.workload.nb.idle-floorpct", "8")))
                .hasMessageContaining("did you mean 'drift.workload.nb.idle-floor-pct'");
        assertThatThrownBy(() -> read(Map.of("schema.registry.url", "mock://x",
                "drift.warmup-samples", "ten")))
                .hasMessageContaining("drift.warmup-samples").hasMessageContaining("not a whole number");
        assertThatThrownBy(() -> read(Map.of()))
                .hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> read(Map.of("schema.registry.url", "mock://x",
                "drift.severity-critical-pct", "10")))
                .hasMessageContaining("drift.severity-critical-pct").hasMessageContaining("severity-warning-pct");
        // a workload's override that clashes with an inherited default names the key that was given
        assertThatThrownBy(() -> read(Map.of("schema.registry.url", "mock://x",
                "drift.workload.nb.confirm-samples", "100")))
                .hasMessageContaining("drift.workload.nb.confirm-samples").hasMessageContaining("'100'")
                .hasMessageContaining("warmup-samples");
    }

    /** Read where the application builds its topology: a bad value stops start-up naming the key and the range. */
    @Test
    void theWorkloadSendIntervalIsReadAndChecked() {
        assertThat(WorkloadBatching.from(Settings.of(Map.of()).check(SettingsCatalog.all())))
                .isEqualTo(WorkloadBatching.DEFAULT);
        assertThat(WorkloadBatching.from(Settings.of(Map.of("drift.workload-send-interval", "2s"))
                .check(SettingsCatalog.all())).sendInterval()).isEqualTo(java.time.Duration.ofSeconds(2));
        for (String bad : new String[] {"0ms", "1m", "soon"}) {
            assertThatThrownBy(() -> new DriftApp().topology(Settings.of(Map.of("schema.registry.url", "mock://x",
                    "drift.workload-send-interval", bad)).check(SettingsCatalog.all())))
                    .isInstanceOf(SettingsException.class).hasMessageContaining("drift.workload-send-interval")
                    .hasMessageContaining(bad);
        }
    }

    @Test
    void theOldDottedKeysStopStartUpWithTheirNewNames() {
        assertThatThrownBy(() -> read(Map.of("schema.registry.url", "mock://x", "drift.idle.floor.pct", "5")))
                .hasMessageContaining("'drift.idle.floor.pct'").hasMessageContaining("renamed to 'drift.idle-floor-pct'");
        assertThatThrownBy(() -> read(Map.of("schema.registry.url", "mock://x", "drift.workload.nb.cusum.h", "9")))
                .hasMessageContaining("renamed to 'drift.workload.nb.cusum-h'");
        assertThatThrownBy(() -> Settings.load(null, Map.of("COSTLINE_DRIFT_TOPIC_SAMPLES", "x")))
                .hasMessageContaining("COSTLINE_DRIFT_TOPIC_SAMPLES").hasMessageContaining("COSTLINE_DRIFT_SAMPLES_TOPIC");
    }
}
