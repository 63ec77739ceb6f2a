package costline.streams.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import costline.events.CostRecord;
import costline.events.GpuSample;
import costline.schemas.Topics;
import costline.schemas.serde.AvroSerde;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drift's per-GPU and per-workload state expires after {@code drift.state-retention} (event time) with tombstones in
 * the changelogs, and the state of what is still active survives.
 */
class DriftStateExpiryTest {

    private static final long T0 = 1_790_000_000_000L - (1_790_000_000_000L % 3_600_000L);
    private static final String APP = "costline-drift-expiry";
    private static final char SEP = '\u001f';

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;

    @AfterEach
    void tearDown() {
        if (driver != null) {
            driver.close();
        }
    }

    @Test
    void aGoneGpuAndWorkloadAreForgottenAfterTheRetentionAndActiveOnesKept() {
        String registry = "mock://drift-expiry-" + UUID.randomUUID();
        // 2 h: longer than the longest window (idle.after, 30 min); expiry scans every 12 min of stream time
        DriftConfig config = DriftConfig.defaults(registry).withStateRetention(Duration.ofHours(2));
        Properties props = DriftTopology.streamsProperties(APP, "localhost:9092", stateDir.toString());
        driver = new TopologyTestDriver(DriftTopology.build(config, false), props, Instant.ofEpochMilli(T0 + 86_400_000L));
        TestInputTopic<String, GpuSample> samples = driver.createInputTopic(Topics.GPU_SAMPLES, Serdes.String().serializer(),
                AvroSerde.forValues(registry, GpuSample.class).serializer());
        TestInputTopic<String, CostRecord> costs = driver.createInputTopic(Topics.GPU_COST, Serdes.String().serializer(),
                AvroSerde.forValues(registry, CostRecord.class).serializer());

        // g-gone runs w-gone for 10 minutes and stops; g-live runs w-live for 4 hours, a sample a minute
        for (long t = T0 + 60_000; t <= T0 + 600_000; t += 60_000) {
            GpuSample s = DriftFixtures.sample("g-gone", t, 60_000, 70f, 400f, "w-gone", 1.0);
            samples.pipeInput(s.getGpuId(), s, t);
        }
        costs.pipeInput("w-gone", DriftFixtures.cost("w-gone", T0, 60_000, 50_000), T0);
        driver.advanceWallClockTime(WorkloadBatching.DEFAULT.sendInterval()); // the workload inputs are sent
        KeyValueStore<String, GpuDriftState> gpus = driver.getKeyValueStore(GpuDriftProcessor.STORE);
        KeyValueStore<String, WorkloadDriftState> workloads = driver.getKeyValueStore(WorkloadDriftProcessor.STORE);
        KeyValueStore<String, HeldGpu> held = driver.getKeyValueStore(WorkloadDriftProcessor.GPU_STORE);
        assertThat(gpus.get("g-gone")).isNotNull();
        assertThat(workloads.get("w-gone")).isNotNull();
        assertThat(held.get("w-gone" + SEP + "g-gone")).isNotNull();

        for (long t = T0 + 60_000; t <= T0 + 4 * 3_600_000L; t += 60_000) {
            GpuSample s = DriftFixtures.sample("g-live", t, 60_000, 70f, 400f, "w-live", 1.0);
            samples.pipeInput(s.getGpuId(), s, t);
            costs.pipeInput("w-live", DriftFixtures.cost("w-live", t - 60_000, 60_000, 50_000), t);
            driver.advanceWallClockTime(WorkloadBatching.DEFAULT.sendInterval());
        }

        // last activity of the gone ones at T0 + 10 min, stream time now T0 + 4 h: 3 h 50 min > 2 h retention
        assertThat(gpus.get("g-gone")).as("GPU not sampled for longer than the retention").isNull();
        assertThat(workloads.get("w-gone")).as("workload not seen for longer than the retention").isNull();
        assertThat(held.get("w-gone" + SEP + "g-gone")).isNull();
        GpuDriftState live = gpus.get("g-live");
        assertThat(live).isNotNull();
        assertThat(live.lastSampleTime).isEqualTo(T0 + 4 * 3_600_000L);
        assertThat(workloads.get("w-live")).isNotNull();
        assertThat(held.get("w-live" + SEP + "g-live")).isNotNull();

        assertThat(tombstones(GpuDriftProcessor.STORE)).containsExactly("g-gone");
        assertThat(tombstones(WorkloadDriftProcessor.STORE)).containsExactly("w-gone");
        assertThat(tombstones(WorkloadDriftProcessor.GPU_STORE)).containsExactly("w-gone" + SEP + "g-gone");
        assertThat(expiredTotal()).isEqualTo(3.0);
    }

    @Test
    void aRetentionNotLongerThanTheLongestWindowStopsStartUp() {
        assertThatThrownBy(() -> DriftConfig.from(costline.streams.config.Settings.of(Map.of("schema.registry.url", "mock://x", "drift.state-retention", "PT20M"))))
                .isInstanceOf(costline.streams.config.SettingsException.class).hasMessageContaining("drift.state-retention")
                .hasMessageContaining("PT30M");
        // a workload override of idle.after counts too
        assertThatThrownBy(() -> DriftConfig.from(costline.streams.config.Settings.of(Map.of("schema.registry.url", "mock://x", "drift.state-retention", "P1D",
                "drift.workload.batch.idle-after", "P2D")))).hasMessageContaining("drift.state-retention");
        assertThat(DriftConfig.from(costline.streams.config.Settings.of(Map.of("schema.registry.url", "mock://x"))).stateRetention()).isEqualTo(Duration.ofDays(7));
    }

    private List<String> tombstones(String store) {
        List<TestRecord<String, byte[]>> log = driver.createOutputTopic(APP + "-" + store + "-changelog",
                Serdes.String().deserializer(), Serdes.ByteArray().deserializer()).readRecordsToList();
        return log.stream().filter(r -> r.value() == null).map(TestRecord::key).distinct().toList();
    }

    private double expiredTotal() {
        return driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("state-expired-total") && e.getKey().group().contains("costline-drift"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }
}
