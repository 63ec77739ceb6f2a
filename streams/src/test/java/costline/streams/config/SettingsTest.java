package costline.streams.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import costline.streams.cost.CostSettings;
import costline.streams.runtime.StreamsApp;
import costline.streams.runtime.StreamsRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    @Test
    void environmentOverridesTheFileAndKafkaKeysPassThrough(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("costline.properties"), """
                kafka.bootstrap.servers=file:9092
                kafka.security.protocol=SASL_SSL
                kafka.sasl.mechanism=PLAIN
                schema.registry.url=http://registry:8081
                cost.emit.interval.ms=500
                """);
        Settings s = Settings.load(file, Map.of("COSTLINE_KAFKA_BOOTSTRAP_SERVERS", "env:9093",
                "COSTLINE_KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule required;",
                "PATH", "/usr/bin"));
        Properties streams = KafkaSettings.streamsProperties(s, "cost");
        assertThat(streams.getProperty("bootstrap.servers")).isEqualTo("env:9093");
        assertThat(streams.getProperty("security.protocol")).isEqualTo("SASL_SSL");
        assertThat(streams.getProperty("sasl.mechanism")).isEqualTo("PLAIN");
        assertThat(streams.getProperty("sasl.jaas.config")).startsWith("org.apache.kafka.common.security.plain");
        assertThat(streams.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(streams.getProperty(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("costline-cost");
        assertThat(CostSettings.from(s).emitIntervalMs()).isEqualTo(500);
    }

    @Test
    void aBadOrMissingSettingNamesTheKeyAndTheFix() {
        assertThatThrownBy(() -> CostSettings.from(Settings.of(Map.of())))
                .isInstanceOf(SettingsException.class).hasMessageContaining("schema.registry.url")
                .hasMessageContaining("COSTLINE_SCHEMA_REGISTRY_URL");
        assertThatThrownBy(() -> CostSettings.from(Settings.of(Map.of("schema.registry.url", "mock://x", "cost.emit.interval.ms", "soon"))))
                .hasMessageContaining("cost.emit.interval.ms").hasMessageContaining("not a whole number");
        assertThatThrownBy(() -> CostSettings.from(Settings.of(Map.of("schema.registry.url", "mock://x", "cost.dedup.window.ms", "5"))))
                .hasMessageContaining("cost.dedup.window.ms").hasMessageContaining("between 60000");
    }

    @Test
    void theInfluxTokenComesOnlyFromTheEnvironmentOrAFile(@TempDir Path dir) throws Exception {
        Path inFile = Files.writeString(dir.resolve("a.properties"), "influx.token=s3cret\n");
        assertThatThrownBy(() -> InfluxSettings.from(Settings.load(inFile, Map.of())))
                .hasMessageContaining("influx.token").hasMessageContaining("must not be written in the settings file");
        assertThat(new String(InfluxSettings.from(Settings.load(null, Map.of("COSTLINE_INFLUX_TOKEN", "from-env"))).token()))
                .isEqualTo("from-env");
        Path token = Files.writeString(dir.resolve("token"), "from-file\n");
        Path viaFile = Files.writeString(dir.resolve("b.properties"), "influx.token.file=" + token + "\n");
        assertThat(new String(InfluxSettings.from(Settings.load(viaFile, Map.of())).token())).isEqualTo("from-file");
        assertThatThrownBy(() -> InfluxSettings.from(Settings.load(null, Map.of())))
                .hasMessageContaining("no InfluxDB token").hasMessageContaining("COSTLINE_INFLUX_TOKEN");
        assertThatThrownBy(() -> InfluxSettings.from(Settings.load(null, Map.of("COSTLINE_INFLUX_TOKEN", "t", "COSTLINE_INFLUX_URL", "influx:8086"))))
                .hasMessageContaining("influx.url");
    }

    @Test
    void theCostTopologyIsFoundOnTheClassPath() {
        assertThat(StreamsRunner.discover()).extracting(StreamsApp::name).contains("cost");
    }
}
