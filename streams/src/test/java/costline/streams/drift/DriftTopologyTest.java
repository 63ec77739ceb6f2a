package costline.streams.drift;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.CostRecord;
import costline.events.Direction;
import costline.events.DriftMetric;
import costline.events.DriftSignal;
import costline.events.EntityType;
import costline.events.GpuSample;
import costline.events.Severity;
import costline.schemas.Topics;
import costline.schemas.serde.AvroSerde;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriftTopologyTest {

    private static final long T0 = 1_790_000_000_000L - (1_790_000_000_000L % 3_600_000L);

    @TempDir
    Path stateDir;

    private String registry;
    private DriftConfig config;
    private TopologyTestDriver driver;
    private TestInputTopic<String, GpuSample> samples;
    private TestInputTopic<String, CostRecord> costs;
    private TestOutputTopic<String, DriftSignal> drift;

    @BeforeEach
    void setUp() {
        registry = "mock://drift-" + UUID.randomUUID();
        config = DriftConfig.defaults(registry);
    }

    @AfterEach
    void tearDown() {
        if (driver != null) {
            driver.close();
        }
    }

    /** In-memory (changelogged) stores: the driver flushes RocksDB after every record, too slow for 1 Hz hours. */
    private void start(DriftConfig cfg) {
        start(DriftTopology.build(cfg, false));
    }

    private void start(org.apache.kafka.streams.Topology topology) {
        Properties props = DriftTopology.streamsProperties("costline-drift", "localhost:9092", stateDir.toString());
        driver = new TopologyTestDriver(topology, props);
        samples = driver.createInputTopic(Topics.GPU_SAMPLES, Serdes.String().serializer(),
                AvroSerde.forValues(registry, GpuSample.class).serializer());
        costs = driver.createInputTopic(Topics.GPU_COST, Serdes.String().serializer(),
                AvroSerde.forValues(registry, CostRecord.class).serializer());
        drift = driver.createOutputTopic(Topics.GPU_DRIFT, Serdes.String().deserializer(),
                AvroSerde.forValues(registry, DriftSignal.class).deserializer());
    }

    /** The output, once the workload inputs the GPU side holds are sent (a send interval of wall clock). */
    private TestOutputTopic<String, DriftSignal> drift() {
        driver.advanceWallClockTime(WorkloadBatching.DEFAULT.sendInterval());
        return drift;
    }

    private void pipeSample(GpuSample s) {
        samples.pipeInput(s.getGpuId(), s, s.getSampleTime());
    }

    private static float noisy(Random r, double level) {
        return (float) Math.max(0, Math.min(100, level + 5 * r.nextGaussian()));
    }

    @Test
    void aUtilizationStepOfOneGpuIsSignalledForTheGpuAndItsWorkload() {
        start(config);
        Random r = new Random(42);
        int stepAt = 900;
        for (int i = 0; i < 1800; i++) {
            double level = i < stepAt ? 90 : 40;
            pipeSample(DriftFixtures.sample("GPU-a", T0 + i * 1000L, noisy(r, level), 600f, "train", 1.0));
        }
        List<KeyValue<String, DriftSignal>> out = drift().readKeyValuesToList();
        List<DriftSignal> gpuUtil = out.stream().filter(kv -> kv.key.equals("GPU-a")).map(kv -> kv.value)
                .filter(s -> s.getMetric() == DriftMetric.UTILIZATION).toList();
        assertThat(gpuUtil).hasSize(1);
        DriftSignal g = gpuUtil.get(0);
        assertThat(g.getEntity()).isEqualTo("GPU-a");
        assertThat(g.getEntityType()).isEqualTo(EntityType.GPU);
        assertThat(g.getDirection()).isEqualTo(Direction.DOWN);
        assertThat(g.getSeverity()).isEqualTo(Severity.CRITICAL);
        assertThat(g.getBaseline()).isBetween(87.0, 93.0);
        assertThat(g.getCurrent()).isBetween(34.0, 46.0);
        assertThat(g.getChangePct()).isBetween(-62.0, -49.0);
        long delayS = (g.getDetectedAt().toEpochMilli() - (T0 + stepAt * 1000L)) / 1000;
        assertThat(delayS).isBetween(0L, 120L);
        assertThat(g.getStartedAt().toEpochMilli()).isBetween(T0 + (stepAt - 30) * 1000L, T0 + (stepAt + 5) * 1000L);

        List<DriftSignal> workload = out.stream().filter(kv -> kv.key.equals("train")).map(kv -> kv.value).toList();
        assertThat(workload).extracting(DriftSignal::getMetric).containsExactly(DriftMetric.UTILIZATION);
        assertThat(workload.get(0).getEntityType()).isEqualTo(EntityType.WORKLOAD);
        assertThat(workload.get(0).getDirection()).isEqualTo(Direction.DOWN);
        // One detector sample per 10 s bucket: confirmed within 30 buckets of the step.
        assertThat(workload.get(0).getDetectedAt().toEpochMilli() - (T0 + stepAt * 1000L)).isBetween(0L, 300_000L);
    }

    @Test
    void moreWattsForTheSameUtilizationIsAPowerPerUtilDrift() {
        start(config);
        Random r = new Random(7);
        for (int i = 0; i < 1500; i++) {
            float watts = (float) ((i < 900 ? 400 : 560) + 10 * r.nextGaussian());
            pipeSample(DriftFixtures.sample("GPU-p", T0 + i * 1000L, noisy(r, 80), watts, "train", 1.0));
        }
        List<DriftSignal> ppu = drift().readValuesToList().stream()
                .filter(s -> s.getMetric() == DriftMetric.POWER_PER_UTIL).toList();
        assertThat(ppu).hasSize(1);
        assertThat(ppu.get(0).getDirection()).isEqualTo(Direction.UP);
        assertThat(ppu.get(0).getBaseline()).isBetween(4.7, 5.3);
        assertThat(ppu.get(0).getCurrent()).isBetween(6.5, 7.5);
    }

    @Test
    void aCostRateJumpIsSignalledUnderTheWorkloadsOwnThresholds() {
        DetectorParams quick = new DetectorParams(20, 10, 0.5, 8.0, 4.0, 2.0, 10.0, 600, 1800);
        DriftThresholds fast = new DriftThresholds(quick, 25.0, 150.0, 10.0, Duration.ofMinutes(30), 10_000_000L);
        start(config.withOverrides(Map.of("infer", fast)));
        Random r = new Random(3);
        for (int m = 0; m < 90; m++) {
            long base = m < 50 ? 1_000_000 : 2_000_000; // $60/h, then $120/h
            long c = Math.round(base * (1 + 0.02 * r.nextGaussian()));
            costs.pipeInput("infer", DriftFixtures.cost("infer", T0 + m * 60_000L, 8 * 60_000L, c));
            // The same series under the default thresholds (60 warm-up minutes, 30 to confirm, critical at 50 %).
            costs.pipeInput("other", DriftFixtures.cost("other", T0 + m * 60_000L, 8 * 60_000L, c));
        }
        Map<String, List<DriftSignal>> byKey = drift().readKeyValuesToList().stream()
                .collect(Collectors.groupingBy(kv -> kv.key, Collectors.mapping(kv -> kv.value, Collectors.toList())));
        assertThat(byKey.keySet()).containsExactlyInAnyOrder("infer", "other");
        DriftSignal s = byKey.get("infer").get(0);
        assertThat(byKey.get("infer")).hasSize(1);
        assertThat(s.getMetric()).isEqualTo(DriftMetric.COST_RATE);
        assertThat(s.getDirection()).isEqualTo(Direction.UP);
        assertThat(s.getBaseline()).isBetween(57_000_000.0, 63_000_000.0);
        assertThat(s.getCurrent()).isBetween(114_000_000.0, 126_000_000.0);
        assertThat(s.getSeverity()).as("+100 %% is under this workload's 150 %% critical").isEqualTo(Severity.WARNING);
        assertThat(s.getDetectedAt().toEpochMilli()).as("confirmed within 10 one-minute samples of the jump")
                .isBetween(T0 + 50 * 60_000L, T0 + 61 * 60_000L);

        DriftSignal other = byKey.get("other").get(0);
        assertThat(other.getSeverity()).isEqualTo(Severity.CRITICAL);
        assertThat(other.getDetectedAt()).as("the default 60-minute warm-up holds it back")
                .isAfter(s.getDetectedAt().plus(Duration.ofMinutes(5)));
    }

    @Test
    void costIncrementsOfAMinuteAreSummedEvenWhenTheyArriveInterleavedWithLaterMinutes() {
        start(config);
        // A steady $60/h workload whose minutes arrive as three increments each (one per cost-topology partition),
        // the third one two minutes late. How the first two split the minute changes after 100 minutes (one GPU
        // partition got busier, another quieter) but their sum does not: no drift. Taking the latest increment
        // for the minute instead of the sum would see its cost triple.
        for (int m = 0; m < 200; m++) {
            long t = T0 + m * 60_000L;
            long first = m < 100 ? 450_000 : 150_000;
            costs.pipeInput("steady", DriftFixtures.cost("steady", t, 8 * 60_000L, first));
            costs.pipeInput("steady", DriftFixtures.cost("steady", t, 8 * 60_000L, 600_000 - first));
            if (m >= 2) {
                costs.pipeInput("steady", DriftFixtures.cost("steady", t - 120_000L, 8 * 60_000L, 400_000));
            }
        }
        assertThat(drift().readValuesToList()).filteredOn(sig -> sig.getMetric() == DriftMetric.COST_RATE).isEmpty();
    }

    @Test
    void aWorkloadHoldingIdleGpusGetsOneIdleSignalPerEpisodeWithDollarsPerHour() {
        start(config);
        // Two H100s at $3.00 per GPU-hour: 100,000 micro-USD per minute for 120,000 GPU-ms. Samples every 10 s.
        long minute = 60_000L;
        long t = T0;
        for (int phase = 0; phase < 3; phase++) {
            // phase 0: 40 min idle; phase 1: 5 min busy; phase 2: 35 min idle again.
            int length = phase == 1 ? 30 : phase == 0 ? 240 : 210;
            for (int i = 0; i < length; i++) {
                t += 10_000L;
                float util = phase == 1 ? 70f : 3f;
                pipeSample(DriftFixtures.sample("GPU-n1", t, 10_000L, util, 90f, "notebook", 1.0));
                pipeSample(DriftFixtures.sample("GPU-n2", t, 10_000L, util, 90f, "notebook", 1.0));
                if ((t - T0) % minute == 0) {
                    costs.pipeInput("notebook", DriftFixtures.cost("notebook", t - minute, 2 * minute, 100_000L));
                }
            }
        }
        List<DriftSignal> idle = drift().readValuesToList().stream()
                .filter(s -> s.getMetric() == DriftMetric.IDLE).toList();
        assertThat(idle).hasSize(2);
        DriftSignal first = idle.get(0);
        assertThat(first.getEntity()).isEqualTo("notebook");
        assertThat(first.getEntityType()).isEqualTo(EntityType.WORKLOAD);
        assertThat(first.getWastedMicroUsdPerHour()).isEqualTo(6_000_000L);
        assertThat(first.getSeverity()).isEqualTo(Severity.WARNING);
        assertThat(first.getBaseline()).isEqualTo(10.0);
        assertThat(first.getCurrent()).isEqualTo(3.0);
        assertThat(first.getStartedAt().toEpochMilli()).as("start of the first idle interval").isEqualTo(T0);
        assertThat(Duration.between(first.getStartedAt(), first.getDetectedAt())).isEqualTo(Duration.ofMinutes(30));
        DriftSignal second = idle.get(1);
        assertThat(second.getStartedAt().toEpochMilli()).isEqualTo(T0 + 270 * 10_000L);
        assertThat(Duration.between(second.getStartedAt(), second.getDetectedAt())).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void aReleasedGpuNoLongerCountsAsHeldIdle() {
        start(config);
        // GPU-x idles under "rel" for 10 minutes, then is handed to "next"; GPU-y keeps "rel" busy throughout.
        long t = T0;
        for (int i = 0; i < 300; i++) {
            t += 10_000L;
            String holder = i < 60 ? "rel" : "next";
            pipeSample(DriftFixtures.sample("GPU-x", t, 10_000L, 2f, 80f, holder, 1.0));
            pipeSample(DriftFixtures.sample("GPU-y", t, 10_000L, 85f, 500f, "rel", 1.0));
        }
        List<DriftSignal> idle = drift().readValuesToList().stream()
                .filter(s -> s.getMetric() == DriftMetric.IDLE).toList();
        assertThat(idle).extracting(DriftSignal::getEntity).containsExactly("next");
        assertThat(idle.get(0).getStartedAt().toEpochMilli()).as("idle for 'next' from its first sample")
                .isEqualTo(T0 + 60 * 10_000L);
    }

    @Test
    void theIdleFloorIsPerWorkload() {
        DriftThresholds lowFloor = new DriftThresholds(DetectorParams.DEFAULTS, 25, 50, 5.0, Duration.ofMinutes(30),
                1_000_000L);
        start(config.withOverrides(Map.of("sweeper", lowFloor)));
        for (int i = 0; i < 2000; i++) {
            long t = T0 + i * 1000L;
            pipeSample(DriftFixtures.sample("GPU-s", t, 7f, 90f, "sweeper", 1.0));
            pipeSample(DriftFixtures.sample("GPU-d", t, 7f, 90f, "dev", 1.0));
        }
        List<DriftSignal> idle = drift().readValuesToList().stream()
                .filter(s -> s.getMetric() == DriftMetric.IDLE).toList();
        assertThat(idle).extracting(DriftSignal::getEntity).containsExactly("dev");
        assertThat(idle.get(0).getWastedMicroUsdPerHour()).as("no cost record yet: unknown, not zero").isNull();
    }

    @Test
    void detectorStateSurvivesADriverRestartOnThePersistentStoreDir() {
        // RocksDB stores, as in production; short windows keep the per-record flushes of the driver few.
        DetectorParams quick = new DetectorParams(20, 10, 0.5, 8.0, 4.0, 2.0, 10.0, 600, 1800);
        DriftConfig cfg = config.withDefaults(new DriftThresholds(quick, 25, 50, 10, Duration.ofMinutes(30),
                10_000_000L));
        Random r = new Random(99);
        int total = 90;
        int stopAt = 45;
        int stepAt = 50;
        float[] series = new float[total];
        for (int i = 0; i < total; i++) {
            series[i] = noisy(r, i < stepAt ? 90 : 40);
        }
        // Reference: one uninterrupted run (in memory: the same processors, fewer flushes).
        start(DriftTopology.build(cfg, false));
        for (int i = 0; i < total; i++) {
            pipeSample(DriftFixtures.sample("GPU-r", T0 + i * 1000L, series[i], null));
        }
        List<DriftSignal> reference = drift().readValuesToList();
        driver.close();
        driver = null;

        // Stopped before the step, restarted on the same state directory.
        stateDir = stateDir.resolve("restart");
        start(DriftTopology.build(cfg));
        for (int i = 0; i < stopAt; i++) {
            pipeSample(DriftFixtures.sample("GPU-r", T0 + i * 1000L, series[i], null));
        }
        List<DriftSignal> before = drift().readValuesToList();
        closeKeepingState();
        start(DriftTopology.build(cfg));
        KeyValueStore<String, GpuDriftState> store = driver.getKeyValueStore(GpuDriftProcessor.STORE);
        assertThat(store.get("GPU-r")).as("GPU state read back from disk").isNotNull();
        assertThat(store.get("GPU-r").utilization.samplesSeen()).isEqualTo(stopAt);
        for (int i = stopAt; i < total; i++) {
            pipeSample(DriftFixtures.sample("GPU-r", T0 + i * 1000L, series[i], null));
        }
        List<DriftSignal> after = drift().readValuesToList();
        assertThat(before).isEmpty();
        assertThat(reference).extracting(DriftSignal::getMetric).containsExactly(DriftMetric.UTILIZATION);
        assertThat(after).as("the restarted run detects exactly what the uninterrupted one did").isEqualTo(reference);
    }

    /**
     * Stops the driver and leaves its state directory as a stopped process leaves it. TopologyTestDriver.close()
     * deletes the task directories (a KafkaStreams instance does not), so the files (the driver flushed RocksDB
     * and wrote the checkpoint after the last record) are copied aside first and put back after.
     */
    private void closeKeepingState() {
        Path aside = stateDir.resolveSibling(stateDir.getFileName() + "-aside");
        copyTree(stateDir, aside);
        driver.close();
        driver = null;
        copyTree(aside, stateDir);
    }

    private static void copyTree(Path from, Path to) {
        try (var paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().equals("LOCK") && !p.getFileName().toString().endsWith(".lock")) {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
