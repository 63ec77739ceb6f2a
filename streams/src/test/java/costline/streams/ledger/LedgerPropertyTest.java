package costline.streams.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.CloudPlacement;
import costline.events.CloudPrice;
import costline.events.CostRecord;
import costline.events.GpuSample;
import costline.events.MonthlyRollup;
import costline.events.OnPremPrice;
import costline.events.OwnedGpu;
import costline.events.PriceEntry;
import costline.events.Site;
import costline.events.Source;
import costline.events.WorkloadShare;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroDeserializer;
import costline.schemas.serde.AvroSerde;
import costline.schemas.serde.AvroSerializer;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Settings;
import costline.streams.cost.BatchFold;
import costline.streams.cost.CostSettings;
import costline.streams.cost.CostTopology;
import costline.streams.finance.FinanceFixtures;
import costline.streams.finance.MonthCalendar;
import costline.streams.prices.PriceKeys;
import costline.streams.rollup.MonthlyRollupTopology;
import costline.streams.rollup.RollupConfig;
import costline.streams.sink.InfluxPoints;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

/**
 * The ledger invariant on random streams: for every (month, workload, site, GPU model), the batch fold of the raw
 * inputs = the sum of gpu.cost = the monthly rollup = the store's points (through InfluxPoints, last write of a point
 * wins as in InfluxDB), to the micro-dollar.
 *
 * <p>Each case has its own GPUs, workloads and price keys (so thousands share two drivers without touching each
 * other's figures) and draws: 1 to 4 price versions per key, some inside samples and some exactly at the month's
 * edge; cloud periods of 60 s or 300 s and on-prem samples of 10 s with energy counters now and then; collector gaps;
 * duplicates; corrections (new utilization, shares or interval); and samples sent out of order. The streams run
 * across October's end. Most on-prem GPUs are in the inventory (gpu.inventory), some of them retired inside the
 * streams, some joined by a GPU that never samples; entries change, are refused or removed at random points, and the
 * wall clock moves so that hours close before, between and after their samples: the fixed cost no sample charged goes
 * to {@code unobserved} and late samples move theirs back, in the fold exactly as in the topology.
 *
 * <p>CI runs {@code -Dcostline.ledger.cases} cases (default 1,000: with the inventory a case costs more; on the 2-core build
 * machine under a load average of 30-45, 2,000 cases took 280.6 s, 1,000 cases 196.5 s and 275.5 s); a longer run: {@code -Dcostline.ledger.cases=50000}.
 * A failure names the seed; {@code -Dcostline.ledger.seed=N} reruns it.
 */
class LedgerPropertyTest {

    static final String REGISTRY = "mock://ledger-property";
    static final Instant MONTH_EDGE = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant START = MONTH_EDGE.minus(Duration.ofMinutes(12));
    static final int PER_DRIVER = 500;

    record Key(String month, String workload, String site, String model) {
    }

    /** One input of a batch, in the order both the topology and the fold see it. */
    sealed interface Event permits SampleEvent, InventoryEvent, ClockEvent {
    }

    record SampleEvent(GpuSample sample) implements Event {
    }

    /** An inventory record (null: a tombstone). */
    record InventoryEvent(String gpuId, OwnedGpu gpu) implements Event {
    }

    /** The wall clock moves on by {@code ms}. */
    record ClockEvent(long ms) implements Event {
    }

    /** The cost topology's wall clock when a batch starts: before the streams, so hours close as they go. */
    static final Instant WALL_START = START.minus(Duration.ofMinutes(30));

    @Test
    void foldEqualsCostSumsEqualsRollupsEqualsStorePoints() {
        int cases = Integer.getInteger("costline.ledger.cases", 1_000);
        long seed = Long.getLong("costline.ledger.seed", System.nanoTime());
        long began = System.nanoTime();
        for (int first = 0; first < cases; first += PER_DRIVER) {
            long batchSeed = seed + first;
            try {
                runBatch(batchSeed, first, Math.min(PER_DRIVER, cases - first));
            } catch (AssertionError e) {
                throw new AssertionError("ledger invariant broken; rerun with -Dcostline.ledger.seed=" + batchSeed
                        + " -Dcostline.ledger.cases=" + PER_DRIVER + ": " + e.getMessage(), e);
            }
        }
        System.out.printf("LedgerPropertyTest: %d cases, seed %d, %.1f s%n", cases, seed, (System.nanoTime() - began) / 1e9);
    }

    private void runBatch(long seed, int firstCase, int cases) {
        Random rnd = new Random(seed);
        // samples up to a day ahead of the wall clock are taken (the clock trails the streams here); hours close 5
        // minutes after their end
        CostSettings cfg = CostSettings.from(Settings.of(Map.of(KafkaSettings.REGISTRY_URL.key(), REGISTRY,
                CostSettings.EMIT_INTERVAL.key(), "1s", CostSettings.MAX_FUTURE.key(), "1d", CostSettings.UNOBSERVED_GRACE.key(), "5m")));
        List<PriceEntry> prices = new ArrayList<>();
        List<GpuSample> samples = new ArrayList<>();
        List<InventoryEvent> inventory = new ArrayList<>();
        for (int c = firstCase; c < firstCase + cases; c++) {
            generate(rnd, c, prices, samples, inventory);
        }
        List<Event> events = interleave(rnd, samples, inventory);
        AvroSerializer<PriceEntry> priceSer = new AvroSerializer<>(SchemaRegistries.forUrl(REGISTRY));
        AvroSerializer<GpuSample> sampleSer = new AvroSerializer<>(SchemaRegistries.forUrl(REGISTRY));
        AvroSerializer<OwnedGpu> gpuSer = new AvroSerializer<>(SchemaRegistries.forUrl(REGISTRY));
        Map<GpuSample, byte[]> sampleBytes = new java.util.IdentityHashMap<>();
        samples.forEach(s -> sampleBytes.put(s, sampleSer.serialize(Topics.GPU_SAMPLES, s)));

        // the batch fold of the raw inputs
        Map<String, PriceEntry> versions = new HashMap<>();
        prices.forEach(p -> versions.put(PriceKeys.topicKey(p), p));
        MonthCalendar utc = MonthCalendar.utc();
        Map<Key, Long> fold = new TreeMap<>(java.util.Comparator.comparing(Key::toString));
        BatchFold f = new BatchFold(cfg, SchemaRegistries.forUrl(REGISTRY), versions, (s, inc) -> fold.merge(
                new Key(utc.monthOf(inc.minuteMs()).toString(), inc.workload(), inc.site(), inc.gpuModel()), inc.costMicroUsd(), Long::sum));
        long foldClock = WALL_START.toEpochMilli();
        for (Event e : events) {
            if (e instanceof SampleEvent se) {
                f.add(0, sampleBytes.get(se.sample()));
            } else if (e instanceof InventoryEvent ie) {
                f.inventory(ie.gpuId(), ie.gpu());
            } else if (e instanceof ClockEvent ce) {
                foldClock += ce.ms();
                f.close(foldClock);
            }
        }

        // the topologies
        Map<Key, Long> costSums = new HashMap<>();
        Map<Key, Long> rollups = new HashMap<>();
        Map<String, double[]> points = new HashMap<>();
        Map<String, Key> pointKeys = new HashMap<>();
        try (TopologyTestDriver cost = new TopologyTestDriver(CostTopology.build(cfg), props("ledger-cost"), WALL_START);
             TopologyTestDriver rollup = new TopologyTestDriver(MonthlyRollupTopology.build(
                     RollupConfig.defaults(REGISTRY).withWallClockClose(false)), props("ledger-rollup"))) {
            TestInputTopic<String, byte[]> priceIn = cost.createInputTopic(Topics.GPU_PRICES, new StringSerializer(), new ByteArraySerializer());
            prices.forEach(p -> priceIn.pipeInput(PriceKeys.topicKey(p), priceSer.serialize(Topics.GPU_PRICES, p)));
            TestInputTopic<byte[], byte[]> sampleIn = cost.createInputTopic(Topics.GPU_SAMPLES, new ByteArraySerializer(), new ByteArraySerializer());
            TestOutputTopic<String, CostRecord> costOut = cost.createOutputTopic(Topics.GPU_COST, new StringDeserializer(),
                    new AvroDeserializer<>(SchemaRegistries.forUrl(REGISTRY), CostRecord.class));
            TestInputTopic<String, CostRecord> rollupIn = rollup.createInputTopic(Topics.GPU_COST, Serdes.String().serializer(),
                    AvroSerde.forValues(REGISTRY, CostRecord.class).serializer());
            TestOutputTopic<String, MonthlyRollup> rollupOut = rollup.createOutputTopic(Topics.GPU_ROLLUP_MONTHLY,
                    Serdes.String().deserializer(), AvroSerde.forValues(REGISTRY, MonthlyRollup.class).deserializer());
            TestInputTopic<byte[], byte[]> inventoryIn = cost.createInputTopic(Topics.GPU_INVENTORY, new ByteArraySerializer(), new ByteArraySerializer());
            for (Event e : events) {
                if (e instanceof SampleEvent se) {
                    GpuSample s = se.sample();
                    sampleIn.pipeInput(s.getGpuId().getBytes(), sampleBytes.get(s), s.getSampleTime());
                } else if (e instanceof InventoryEvent ie) {
                    inventoryIn.pipeInput(ie.gpuId().getBytes(), ie.gpu() == null ? null : gpuSer.serialize(Topics.GPU_INVENTORY, ie.gpu()));
                } else if (e instanceof ClockEvent ce) {
                    cost.advanceWallClockTime(Duration.ofMillis(ce.ms())); // emits and closes hours, as the live topology does
                }
            }
            for (var kv : costOut.readKeyValuesToList()) {
                CostRecord c = kv.value;
                Key k = new Key(utc.monthOf(c.getWindowStart().toEpochMilli()).toString(), c.getWorkload(), c.getSite().name(), c.getGpuModel());
                costSums.merge(k, c.getCostMicroUsd(), Long::sum);
                rollupIn.pipeInput(kv.key, c, c.getWindowStart());
                // the store: one value per series and time, the last written wins
                String line = InfluxPoints.cost(c).toLineProtocol();
                String identity = line.substring(0, line.indexOf(' ')) + line.substring(line.lastIndexOf(' '));
                String field = line.split(" ")[line.split(" ").length - 2];
                double dollars = Double.parseDouble(field.replaceAll(".*cost_usd=([-0-9.Ee]+).*", "$1"));
                if (points.put(identity, new double[] {dollars}) != null) {
                    throw new AssertionError("two increments share the store point " + identity);
                }
                pointKeys.put(identity, k);
            }
            rollup.advanceWallClockTime(Duration.ofMillis(500)); // the emit interval: the month-to-date totals go out
            for (var kv : rollupOut.readKeyValuesToList()) {
                MonthlyRollup r = kv.value;
                rollups.put(new Key(r.getMonth(), r.getWorkload(), r.getSite().name(), r.getGpuModel()), r.getCostMicroUsd());
            }
        }
        Map<Key, BigDecimal> storeDollars = new HashMap<>();
        points.forEach((id, v) -> storeDollars.merge(pointKeys.get(id), BigDecimal.valueOf(v[0]), BigDecimal::add));
        Map<Key, Long> store = new HashMap<>();
        storeDollars.forEach((k, d) -> store.put(k, d.movePointRight(6).setScale(0, RoundingMode.HALF_EVEN).longValueExact()));

        java.util.Set<Key> keys = new java.util.HashSet<>(fold.keySet());
        keys.addAll(costSums.keySet());
        keys.addAll(rollups.keySet());
        keys.addAll(store.keySet());
        assertThat(fold).as("the fold costs something").isNotEmpty();
        assertThat(fold.keySet().stream().map(Key::month).distinct()).as("both months").hasSize(2);
        for (Key k : keys) {
            long expected = fold.getOrDefault(k, 0L);
            assertThat(costSums.getOrDefault(k, 0L)).as("sum of gpu.cost of %s", k).isEqualTo(expected);
            assertThat(rollups.getOrDefault(k, 0L)).as("rollup of %s", k).isEqualTo(expected);
            assertThat(store.getOrDefault(k, 0L)).as("store points of %s", k).isEqualTo(expected);
        }
    }

    /** One case: its own GPUs, workloads and price keys. */
    private static void generate(Random rnd, int c, List<PriceEntry> prices, List<GpuSample> out, List<InventoryEvent> inventory) {
        String type = "p4d-case" + c;
        String model = "H100-case" + c;
        long from = START.toEpochMilli();
        long to = MONTH_EDGE.plus(Duration.ofMinutes(12)).toEpochMilli();
        // versions: one in force from before the streams, then up to 3 more, one of them at the month's edge now and then
        prices.add(cloudPrice(type, Instant.parse("2026-01-01T00:00:00Z"), 8_000_000 + rnd.nextInt(40_000_000)));
        prices.add(onPremPrice(model, Instant.parse("2026-01-01T00:00:00Z"), rnd));
        for (int v = rnd.nextInt(4); v > 0; v--) {
            long at = rnd.nextInt(4) == 0 ? MONTH_EDGE.toEpochMilli() : from + (long) (rnd.nextDouble() * (to - from));
            if (rnd.nextBoolean()) {
                prices.add(cloudPrice(type, Instant.ofEpochMilli(at), 8_000_000 + rnd.nextInt(40_000_000)));
            } else {
                prices.add(onPremPrice(model, Instant.ofEpochMilli(at), rnd));
            }
        }
        String[] workloads = {"w" + c + "a", "w" + c + "b", "w" + c + "c"};
        List<GpuSample> mine = new ArrayList<>();
        // a cloud GPU with 60-s or 300-s periods
        long period = rnd.nextBoolean() ? 60_000 : 300_000;
        for (long t = from + period; t <= to; t += period) {
            if (rnd.nextInt(8) != 0) { // collector gaps
                mine.add(cloud("i-" + c + "/0", type, t, period, rnd, workloads));
            }
        }
        // an on-prem GPU, 10-s samples for a stretch around the edge, power and now and then the energy counter; now and
        // then the collector is down for a minute
        long counter = 1_000_000_000L;
        long onFrom = MONTH_EDGE.toEpochMilli() - (long) rnd.nextInt(180) * 1000;
        long outage = rnd.nextInt(3) == 0 ? onFrom + rnd.nextInt(120) * 1000L : Long.MIN_VALUE;
        for (long t = onFrom; t < onFrom + 180_000; t += 10_000) {
            counter += 4_000_000 + rnd.nextInt(3_000_000);
            if (rnd.nextInt(10) != 0 && (t < outage || t >= outage + 60_000)) {
                mine.add(onPrem("GPU-" + c, model, t, rnd, rnd.nextInt(4) == 0 ? counter : null, workloads));
            }
        }
        inventory(rnd, c, model, inventory);
        // duplicates and corrections
        int n = mine.size();
        for (int i = 0; i < n / 10; i++) {
            GpuSample s = mine.get(rnd.nextInt(n));
            if (rnd.nextBoolean()) {
                mine.add(GpuSample.newBuilder(s).build());
            } else {
                GpuSample.Builder b = GpuSample.newBuilder(s).setUtilGpuPct((float) rnd.nextInt(101))
                        .setWorkloads(shares(rnd, workloads));
                if (s.getSite() == Site.CLOUD && rnd.nextBoolean()) {
                    b.setIntervalMs(s.getIntervalMs() / 2); // a re-read period that covers less
                }
                mine.add(b.build());
            }
        }
        // out of order: swap neighbours within a few minutes (well inside the de-duplication window)
        for (int i = 0; i < mine.size() / 5; i++) {
            int a = rnd.nextInt(mine.size());
            int b = Math.min(mine.size() - 1, a + 1 + rnd.nextInt(5));
            GpuSample x = mine.get(a);
            mine.set(a, mine.get(b));
            mine.set(b, x);
        }
        out.addAll(mine);
    }

    /**
     * The case's inventory: its on-prem GPU (3 in 4 cases) in service from up to 2 h before the streams to a few minutes
     * into November, retired (1 in 4) up to 2 h after the edge; now and then a GPU that never samples; and later entries
     * (a retirement, a refused entry, a removal), all sent at random points of the batch.
     */
    private static void inventory(Random rnd, int c, String model, List<InventoryEvent> out) {
        long edge = MONTH_EDGE.toEpochMilli();
        for (String gpuId : new String[] {"GPU-" + c, "GPU-" + c + "-spare"}) {
            boolean spare = gpuId.endsWith("-spare");
            if (spare ? rnd.nextInt(4) != 0 : rnd.nextInt(4) == 0) {
                continue;
            }
            long inService = edge - 2 * 3_600_000L - 12 * 60_000L + (long) (rnd.nextDouble() * (2 * 3_600_000L + 18 * 60_000L));
            Long retired = rnd.nextInt(4) == 0 ? inService + 1 + (long) (rnd.nextDouble() * (edge + 2 * 3_600_000L - inService)) : null;
            OwnedGpu gpu = owned(gpuId, model, inService, retired);
            out.add(new InventoryEvent(gpuId, gpu));
            switch (rnd.nextInt(6)) {
                case 0 -> out.add(new InventoryEvent(gpuId, OwnedGpu.newBuilder(gpu)
                        .setRetiredAt(Instant.ofEpochMilli(edge + (long) (rnd.nextDouble() * 3_600_000L))).build()));
                case 1 -> out.add(new InventoryEvent(gpuId, OwnedGpu.newBuilder(gpu) // refused: retired before in service
                        .setRetiredAt(Instant.ofEpochMilli(inService - 1)).build()));
                case 2 -> out.add(new InventoryEvent(gpuId, null));
                default -> {
                }
            }
        }
    }

    private static OwnedGpu owned(String gpuId, String model, long inService, Long retired) {
        return OwnedGpu.newBuilder().setGpuId(gpuId).setHost("n").setSite(Site.ONPREM).setGpuModel(model)
                .setInServiceFrom(Instant.ofEpochMilli(inService)).setRetiredAt(retired == null ? null : Instant.ofEpochMilli(retired))
                .setReference(null).build();
    }

    /**
     * The batch's events: the samples in order, each case's inventory entries at random points (a case's later entries
     * after its first), and the wall clock moving on: a second now and then (emits), and in three jumps (to 00:06 and
     * 01:06 on November 1st, then to 03:00) that close October's last hour, November's first, and everything after, so
     * many samples arrive after their hour closed.
     */
    private static List<Event> interleave(Random rnd, List<GpuSample> samples, List<InventoryEvent> inventory) {
        List<Event> events = new ArrayList<>();
        samples.forEach(s -> events.add(new SampleEvent(s)));
        int lastAt = 0;
        String lastGpu = null;
        for (InventoryEvent e : inventory) {
            int at = e.gpuId().equals(lastGpu) ? lastAt + 1 + rnd.nextInt(Math.max(1, events.size() - lastAt)) : rnd.nextInt(events.size() + 1);
            at = Math.min(at, events.size());
            events.add(at, e);
            lastAt = at;
            lastGpu = e.gpuId();
        }
        List<Event> out = new ArrayList<>();
        long clock = WALL_START.toEpochMilli();
        long[] jumps = {MONTH_EDGE.toEpochMilli() + 6 * 60_000L, MONTH_EDGE.toEpochMilli() + 66 * 60_000L};
        int jump = 0;
        for (int i = 0; i < events.size(); i++) {
            out.add(events.get(i));
            if (jump < jumps.length && i >= (jump + 1) * events.size() / 3) {
                out.add(new ClockEvent(jumps[jump] - clock));
                clock = jumps[jump++];
            } else if (rnd.nextInt(50) == 0) {
                out.add(new ClockEvent(1000));
                clock += 1000;
            }
        }
        out.add(new ClockEvent(MONTH_EDGE.toEpochMilli() + 3 * 3_600_000L - clock));
        return out;
    }

    private static List<WorkloadShare> shares(Random rnd, String[] workloads) {
        List<WorkloadShare> out = new ArrayList<>();
        int k = rnd.nextInt(3);
        float left = 1f;
        for (int i = 0; i < k; i++) {
            float share = i == k - 1 && rnd.nextBoolean() ? left : left * rnd.nextInt(100) / 100f;
            out.add(WorkloadShare.newBuilder().setWorkload(workloads[i]).setTeam("t").setShare(share).build());
            left -= share;
        }
        return out;
    }

    private static GpuSample cloud(String gpu, String type, long t, long interval, Random rnd, String[] workloads) {
        return GpuSample.newBuilder().setSampleTime(Instant.ofEpochMilli(t)).setIntervalMs(interval).setSource(Source.CLOUDWATCH)
                .setSite(Site.CLOUD).setHost("h").setGpuId(gpu).setGpuIndex(0).setGpuModel("A100-" + type)
                .setCloud(CloudPlacement.newBuilder().setProvider("aws").setRegion("us-east-1").setInstanceType(type)
                        .setInstanceId("i").build())
                .setUtilGpuPct((float) rnd.nextInt(101)).setWorkloads(shares(rnd, workloads)).build();
    }

    private static GpuSample onPrem(String gpu, String model, long t, Random rnd, Long counter, String[] workloads) {
        return GpuSample.newBuilder().setSampleTime(Instant.ofEpochMilli(t)).setIntervalMs(10_000).setSource(Source.NVML)
                .setSite(Site.ONPREM).setHost("n").setGpuId(gpu).setGpuIndex(0).setGpuModel(model)
                .setUtilGpuPct((float) rnd.nextInt(101)).setPowerW(100f + rnd.nextInt(600)).setEnergyCounterMj(counter)
                .setWorkloads(shares(rnd, workloads)).build();
    }

    private static PriceEntry cloudPrice(String type, Instant from, long hourlyMicroUsd) {
        return PriceEntry.newBuilder().setPriceKey(PriceKeys.cloud("aws", "us-east-1", type)).setSite(Site.CLOUD)
                .setGpuModel("A100-" + type).setEffectiveFrom(from).setOnprem(null)
                .setCloudPrice(CloudPrice.newBuilder().setProvider("aws").setRegion("us-east-1").setInstanceType(type)
                        .setGpusPerInstance(8).setPricingModel("ON_DEMAND").setInstanceHourlyMicroUsd(hourlyMicroUsd).build())
                .build();
    }

    private static PriceEntry onPremPrice(String model, Instant from, Random rnd) {
        return PriceEntry.newBuilder().setPriceKey(PriceKeys.onPrem(model)).setSite(Site.ONPREM).setGpuModel(model)
                .setEffectiveFrom(from).setCloudPrice(null)
                .setOnprem(OnPremPrice.newBuilder().setCapexPerGpuMicroUsd(10_000_000_000L + rnd.nextInt(1_000_000_000))
                        .setResidualPerGpuMicroUsd(rnd.nextInt(1_000_000_000)).setAmortizationMonths(12 + rnd.nextInt(48))
                        .setYearlyOpsPerGpuMicroUsd(rnd.nextInt(2_000_000_000)).setPue(1.0 + rnd.nextInt(100) / 100.0)
                        .setEnergyMicroUsdPerKwh(50_000 + rnd.nextInt(200_000)).build())
                .build();
    }

    private static Properties props(String app) {
        Properties p = FinanceFixtures.driverProps(app + "-" + UUID.randomUUID());
        // the test driver commits after every record; under exactly-once it also rewrites the state checkpoint file each
        // time, which made a batch take minutes. Processing is the same either way (one thread, no failures here).
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        // RocksDB stores checkpoint their position with an fsync at every commit, i.e. every record under the driver:
        // on a memory file system where there is one
        String base = java.nio.file.Files.isWritable(java.nio.file.Path.of("/dev/shm")) ? "/dev/shm" : System.getProperty("java.io.tmpdir");
        p.put(StreamsConfig.STATE_DIR_CONFIG, base + "/costline-ledger-" + UUID.randomUUID());
        return p;
    }
}
