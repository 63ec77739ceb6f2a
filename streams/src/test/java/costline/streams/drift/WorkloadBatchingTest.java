package costline.streams.drift;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.CostRecord;
import costline.events.DriftMetric;
import costline.events.DriftSignal;
import costline.events.GpuSample;
import costline.schemas.Topics;
import costline.schemas.serde.AvroSerde;
import costline.streams.config.JsonSerde;
import costline.streams.cost.CostSettings;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workload side fed batches computes exactly what it computed from one record per input: over a fleet's mixed
 * input (40 GPUs, five workloads, two of them sharing GPUs, utilization steps, idle episodes, nulls, samples a little
 * out of order across GPUs, cost increments interleaved and late) the signals and the workload stores are the same with
 * every input sent on its own (a cap of 1 byte: the records of the build before batches), batched per send interval,
 * and batched under a small cap; the repartition topic carries a fraction of the records. Records written before
 * batches (one input each, binary or JSON) are still read.
 */
class WorkloadBatchingTest {

    private static final long T0 = 1_790_000_000_000L - (1_790_000_000_000L % 3_600_000L);
    private static final String APP = "costline-drift";
    private static final String REPARTITION = APP + "-" + DriftTopology.WORKLOAD_REPARTITION + "-repartition";

    @TempDir
    Path stateDir;

    private final String registry = "mock://drift-batch-" + UUID.randomUUID();
    /** Short warm-up and confirmation: 90 minutes of data see every kind of workload signal. */
    private final DriftConfig config = DriftConfig.defaults(registry).withDefaults(new DriftThresholds(
            new DetectorParams(20, 10, 0.5, 8.0, 4.0, 2.0, 10.0, 600, 1800), 25, 50, 10, Duration.ofMinutes(30),
            10_000_000L));
    private final List<TopologyTestDriver> drivers = new ArrayList<>();

    @AfterEach
    void tearDown() {
        drivers.forEach(TopologyTestDriver::close);
    }

    /** What one run produced: signals by key (in order), the workload stores' entries encoded, the repartition records. */
    private record Run(Map<String, List<DriftSignal>> signals, Map<String, String> workloads, Map<String, String> held,
                       List<byte[]> repartition) {
    }

    /** One input of the fleet: a sample or a cost record, and after it whether the wall clock moves a send interval. */
    private record Step(GpuSample sample, CostRecord cost, boolean tick) {
    }

    @Test
    void batchedInputsGiveExactlyTheSignalsAndStateOfOneRecordPerInput() {
        List<Step> fleet = fleet(new Random(2026));
        Run single = run(fleet, new WorkloadBatching(Duration.ofMillis(500), 1));
        Run batched = run(fleet, WorkloadBatching.DEFAULT);
        Run capped = run(fleet, new WorkloadBatching(Duration.ofMillis(500), 2_000));

        // a realistic run: every kind of workload signal, and many of them
        List<DriftSignal> workloadSignals = single.signals().entrySet().stream()
                .filter(e -> !e.getKey().startsWith("GPU-")).flatMap(e -> e.getValue().stream()).toList();
        assertThat(workloadSignals).extracting(DriftSignal::getMetric)
                .contains(DriftMetric.UTILIZATION, DriftMetric.COST_RATE, DriftMetric.IDLE);
        assertThat(batched.signals()).isEqualTo(single.signals());
        assertThat(capped.signals()).isEqualTo(single.signals());
        assertThat(batched.workloads()).isEqualTo(single.workloads()).isNotEmpty();
        assertThat(capped.workloads()).isEqualTo(single.workloads());
        assertThat(batched.held()).isEqualTo(single.held()).isNotEmpty();
        assertThat(capped.held()).isEqualTo(single.held());

        long inputs = fleet.stream().mapToLong(s -> s.sample() != null ? s.sample().getWorkloads().size() : 1).sum();
        assertThat(single.repartition()).as("one record per input").hasSize((int) inputs);
        // five workloads, a send about every 40 inputs: about one record per 8 inputs
        assertThat(batched.repartition().size()).as("records per input, batched")
                .isLessThan((int) (inputs / 5));
        int bound = WorkloadBatch.bound(WorkloadInput.of(new WorkloadInput.Observation("GPU-00", 0, 0, 0.0, 0,
                "ONPREM", DriftFixtures.H100)));
        assertThat(capped.repartition()).allSatisfy(r -> assertThat(r.length).isLessThan(2_000 + bound + 5));
        assertThat(capped.repartition().size()).isGreaterThan(batched.repartition().size());
    }

    @Test
    void recordsWrittenBeforeBatchesOneInputEachAreStillRead() {
        List<Step> fleet = fleet(new Random(7)).subList(0, 6_000);
        Run batched = run(fleet, WorkloadBatching.DEFAULT);

        // the same inputs as the build before batches wrote them: one record each, binary (V1), a few as JSON (before V1)
        TopologyTestDriver driver = start(WorkloadBatching.DEFAULT);
        TestInputTopic<String, byte[]> repartition = driver.createInputTopic(REPARTITION, Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        Serde<WorkloadInput> v1 = DriftCodec.workloadInput();
        Serde<WorkloadInput> json = new JsonSerde<>(WorkloadInput.class);
        int n = 0;
        for (Step s : fleet) {
            for (KeyValue<String, WorkloadInput> in : inputs(s)) {
                byte[] bytes = (n++ % 10 == 0 ? json : v1).serializer().serialize(REPARTITION, in.value);
                assertThat(bytes[0]).isIn(DriftCodec.V1, (byte) '{');
                repartition.pipeInput(in.key, bytes, T0);
            }
        }
        Run old = collect(driver);
        Map<String, List<DriftSignal>> workloadSignals = new TreeMap<>(batched.signals());
        workloadSignals.keySet().removeIf(k -> k.startsWith("GPU-"));
        assertThat(workloadSignals).isNotEmpty();
        assertThat(old.signals()).isEqualTo(workloadSignals);
        assertThat(old.workloads()).isEqualTo(batched.workloads());
        assertThat(old.held()).isEqualTo(batched.held());
    }

    /** The workload side's inputs of one step, as the topology derives them. */
    private static List<KeyValue<String, WorkloadInput>> inputs(Step s) {
        if (s.sample() != null) {
            return DriftTopology.observations(s.sample().getGpuId(), s.sample());
        }
        CostRecord c = s.cost();
        return List.of(KeyValue.pair(c.getWorkload(), WorkloadInput.of(new WorkloadInput.CostPart(c.getSite().name(),
                c.getGpuModel(), c.getWindowStart().toEpochMilli(), c.getWindowEnd().toEpochMilli(), c.getCostMicroUsd(),
                c.getGpuMs()))));
    }

    private TopologyTestDriver start(WorkloadBatching batching) {
        Path dir = stateDir.resolve("run-" + drivers.size());
        CostSettings rules = CostSettings.from(Settings.of(Map.of(KafkaSettings.REGISTRY_URL.key(), registry)));
        TopologyTestDriver driver = new TopologyTestDriver(DriftTopology.build(config, rules, batching, false),
                DriftTopology.streamsProperties(APP, "localhost:9092", dir.toString()));
        drivers.add(driver);
        return driver;
    }

    private Run run(List<Step> fleet, WorkloadBatching batching) {
        TopologyTestDriver driver = start(batching);
        TestInputTopic<String, GpuSample> samples = driver.createInputTopic(Topics.GPU_SAMPLES,
                Serdes.String().serializer(), AvroSerde.forValues(registry, GpuSample.class).serializer());
        TestInputTopic<String, CostRecord> costs = driver.createInputTopic(Topics.GPU_COST,
                Serdes.String().serializer(), AvroSerde.forValues(registry, CostRecord.class).serializer());
        for (Step s : fleet) {
            if (s.sample() != null) {
                samples.pipeInput(s.sample().getGpuId(), s.sample(), s.sample().getSampleTime());
            } else {
                costs.pipeInput(s.cost().getWorkload(), s.cost(), s.cost().getWindowEnd());
            }
            if (s.tick()) {
                driver.advanceWallClockTime(batching.sendInterval());
            }
        }
        driver.advanceWallClockTime(batching.sendInterval());
        return collect(driver);
    }

    private Run collect(TopologyTestDriver driver) {
        TestOutputTopic<String, DriftSignal> out = driver.createOutputTopic(Topics.GPU_DRIFT,
                Serdes.String().deserializer(), AvroSerde.forValues(registry, DriftSignal.class).deserializer());
        Map<String, List<DriftSignal>> signals = new TreeMap<>();
        for (KeyValue<String, DriftSignal> kv : out.readKeyValuesToList()) {
            signals.computeIfAbsent(kv.key, k -> new ArrayList<>()).add(kv.value);
        }
        Serde<WorkloadDriftState> workloadJson = new JsonSerde<>(WorkloadDriftState.class);
        Serde<HeldGpu> heldCodec = DriftCodec.heldGpu();
        List<byte[]> repartition = driver.createOutputTopic(REPARTITION, Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer()).readRecordsToList().stream().map(TestRecord::value).toList();
        return new Run(signals,
                entries(driver.getKeyValueStore(WorkloadDriftProcessor.STORE),
                        v -> new String(workloadJson.serializer().serialize("s", (WorkloadDriftState) v))),
                entries(driver.getKeyValueStore(WorkloadDriftProcessor.GPU_STORE),
                        v -> java.util.Arrays.toString(heldCodec.serializer().serialize("s", (HeldGpu) v))),
                repartition);
    }

    private static Map<String, String> entries(KeyValueStore<String, Object> store,
                                               java.util.function.Function<Object, String> encode) {
        Map<String, String> all = new TreeMap<>();
        try (KeyValueIterator<String, Object> it = store.all()) {
            it.forEachRemaining(kv -> all.put(kv.key, encode.apply(kv.value)));
        }
        return all;
    }

    /**
     * 90 minutes of a 40-GPU fleet, a sample per GPU every 10 s (times staggered per GPU, so buckets close at different
     * GPUs; GPUs piped in a shuffled order, so some arrive behind another GPU's later sample): "train" (GPUs 0-14)
     * halves its utilization at minute 45; "infer" (15-24) is steady but its cost doubles at minute 50; "notebook"
     * (25-29) idles but for minutes 35-40; "shared-a" and "shared-b" split GPUs 30-39 half and half, one in 20 of
     * their samples without utilization. Each workload's minute of cost comes as two increments, the second a minute
     * late, at a random point of the next minute. The wall clock moves a send interval after a random 1-80 inputs.
     */
    private static List<Step> fleet(Random r) {
        List<Step> steps = new ArrayList<>();
        Map<Long, List<CostRecord>> costsDue = new LinkedHashMap<>();
        int untilTick = 1;
        for (int k = 0; k < 540; k++) {
            long stepStart = T0 + k * 10_000L;
            List<Integer> order = new ArrayList<>();
            for (int g = 0; g < 40; g++) {
                order.add(g);
            }
            java.util.Collections.shuffle(order, r);
            List<Object> batch = new ArrayList<>();
            for (int g : order) {
                batch.add(sample(g, stepStart + 10_000L + g * 173L, k, r));
            }
            if (k % 6 == 0 && k > 0) {
                long minute = stepStart - 60_000L;
                for (String w : List.of("train", "infer", "notebook", "shared-a", "shared-b")) {
                    long perMinute = switch (w) {
                        case "train" -> 1_500_000L;
                        case "infer" -> minute >= T0 + 50 * 60_000L ? 2_000_000L : 1_000_000L;
                        case "notebook" -> 500_000L;
                        default -> 500_000L;
                    };
                    long c = Math.round(perMinute * (1 + 0.02 * r.nextGaussian()));
                    long first = c / 3;
                    batch.add(r.nextInt(batch.size() + 1), DriftFixtures.cost(w, minute, 10 * 60_000L, first));
                    costsDue.computeIfAbsent(stepStart + 60_000L, t -> new ArrayList<>())
                            .add(DriftFixtures.cost(w, minute, 10 * 60_000L, c - first));
                }
            }
            List<CostRecord> late = costsDue.remove(stepStart);
            if (late != null) {
                late.forEach(c -> batch.add(r.nextInt(batch.size() + 1), c));
            }
            for (Object o : batch) {
                boolean tick = --untilTick == 0;
                if (tick) {
                    untilTick = 1 + r.nextInt(80);
                }
                steps.add(o instanceof GpuSample s ? new Step(s, null, tick) : new Step(null, (CostRecord) o, tick));
            }
        }
        return steps;
    }

    private static GpuSample sample(int g, long t, int k, Random r) {
        String gpu = String.format("GPU-%02d", g);
        double minute = k / 6.0;
        double level;
        Object[] shares;
        if (g < 15) {
            level = minute < 45 ? 90 : 45;
            shares = new Object[] {"train", 1.0};
        } else if (g < 25) {
            level = 70;
            shares = new Object[] {"infer", 1.0};
        } else if (g < 30) {
            level = minute >= 35 && minute < 40 ? 80 : 3;
            shares = new Object[] {"notebook", 1.0};
        } else {
            level = 60 + 10 * Math.sin(minute / 7);
            shares = new Object[] {"shared-a", 0.5, "shared-b", 0.5};
        }
        double noise = level < 10 ? 0.5 : 4;
        Float util = g >= 30 && r.nextInt(20) == 0 ? null
                : (float) Math.max(0, Math.min(100, level + noise * r.nextGaussian()));
        return DriftFixtures.sample(gpu, t, 10_000L, util, 400f, shares);
    }
}
