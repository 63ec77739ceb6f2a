package costline.streams.cost;

import costline.events.CloudPrice;
import costline.events.CostRecord;
import costline.events.GpuSample;
import costline.events.OnPremPrice;
import costline.events.PriceEntry;
import costline.events.Site;
import costline.pricing.CostModel;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroDeserializer;
import costline.schemas.serde.AvroSerializer;
import costline.streams.Samples;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Settings;
import costline.streams.finance.FinanceFixtures;
import costline.streams.prices.PriceKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The cost topology under a {@link TopologyTestDriver} (exactly_once_v2, a state folder of its own) with the test
 * catalog's prices piped in before anything else: the harness of the cost topology's tests.
 *
 * <p>The catalog ({@link #CATALOG}), whose amounts the tests work out by hand:
 * <ul>
 *   <li>aws:us-east-1:p4d.24xlarge, 8 GPUs: $32.77/h from 2025-01-01, $21.96/h from {@link #PRICE_CUT} (10:02:00 on the
 *       test day). One GPU for 60 s: 32,770,000 x 60,000 / (8 x 3,600,000) = 68,270.83 -> 68,271 micro-USD before the
 *       change; 21,960,000 x 60,000 / 28,800,000 = 45,750 exactly after it.</li>
 *   <li>onprem:NVIDIA H100 80GB HBM3: capex $38,750 per GPU, no residual, 48 months, ops $2,500/yr, PUE 1.4,
 *       $0.12/kWh. Fixed cost of 10 s: 38,750,000,000 x 10,000 / (48 x 730 x 3,600,000) = 3,071.889
 *       + 2,500,000,000 x 10,000 / (8,760 x 3,600,000) = 792.744, together 3,864.63 -> 3,865 micro-USD.
 *       Energy: 6,000,000 mJ (600 W for 10 s) x 1.4 x 120,000 / 3,600,000,000 = 280 micro-USD exactly.</li>
 * </ul>
 */
final class CostDriver implements AutoCloseable {

    static final Instant DAY = Instant.parse("2026-11-27T10:00:00Z");
    static final Instant PRICE_CUT = DAY.plusSeconds(120);
    static final List<PriceEntry> CATALOG = List.of(cloudPrice("32.77", Instant.parse("2025-01-01T00:00:00Z")),
            cloudPrice("21.96", PRICE_CUT), onPremPrice());

    final TopologyTestDriver driver;
    final TestInputTopic<String, PriceEntry> prices;
    final TestInputTopic<byte[], byte[]> samples;
    final TestOutputTopic<String, CostRecord> cost;
    final TestOutputTopic<byte[], byte[]> dlq;
    private final String applicationId;
    private final AvroSerializer<GpuSample> sampleSerializer;

    /** The tests' settings: cost records emitted every second of wall clock, every other setting at its default. */
    static CostSettings settings(String registryUrl) {
        return CostSettings.from(Settings.of(Map.of(KafkaSettings.REGISTRY_URL.key(), registryUrl,
                CostSettings.EMIT_INTERVAL.key(), "1s")));
    }

    /**
     * The topology of {@code cfg} as application {@code applicationId} (its changelog topics are named after it), the
     * driver's wall clock at {@code wallClock}, {@link #CATALOG} piped in.
     */
    CostDriver(CostSettings cfg, String applicationId, Instant wallClock) {
        this.applicationId = applicationId;
        driver = new TopologyTestDriver(CostTopology.build(cfg), FinanceFixtures.driverProps(applicationId), wallClock);
        String registry = cfg.registryUrl();
        sampleSerializer = new AvroSerializer<>(SchemaRegistries.forUrl(registry));
        prices = driver.createInputTopic(Topics.GPU_PRICES, new StringSerializer(),
                new AvroSerializer<PriceEntry>(SchemaRegistries.forUrl(registry)));
        CATALOG.forEach(this::pipe);
        samples = driver.createInputTopic(Topics.GPU_SAMPLES, new ByteArraySerializer(), new ByteArraySerializer());
        cost = driver.createOutputTopic(Topics.GPU_COST, new StringDeserializer(),
                new AvroDeserializer<>(SchemaRegistries.forUrl(registry), CostRecord.class));
        dlq = driver.createOutputTopic(Topics.GPU_SAMPLES_DLQ, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    void pipe(PriceEntry p) {
        prices.pipeInput(PriceKeys.topicKey(p), p);
    }

    /** The sample in the wire format (Confluent framing, Avro body), as the collectors write it. */
    byte[] serialize(GpuSample s) {
        return sampleSerializer.serialize(Topics.GPU_SAMPLES, s);
    }

    /** Sends the sample keyed by its GPU, stamped with its sample time. */
    void send(GpuSample s) {
        samples.pipeInput(s.getGpuId().getBytes(StandardCharsets.UTF_8), serialize(s), s.getSampleTime());
    }

    /** Advances the wall clock a second (the emit interval) and returns the cost records emitted since the last call. */
    List<CostRecord> emitted() {
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        return cost.readValuesToList();
    }

    /** What the de-duplication memory ({@link CostTopology#SEEN_STORE_BY_GPU}) holds for the GPU's sample at {@code t}. */
    StateCodec.Seen seen(String gpuId, Instant t) {
        return SeenSamples.lookup(driver.<String, SeenWindow>getKeyValueStore(CostTopology.SEEN_STORE_BY_GPU)::get, gpuId,
                t.toEpochMilli());
    }

    /** One of the topology's counters ({@link CostTopology#COUNTERS_STORE}), 0 when never counted. */
    long counter(String name) {
        Long v = driver.<String, Long>getKeyValueStore(CostTopology.COUNTERS_STORE).get(name);
        return v == null ? 0 : v;
    }

    /** The cost topology's sensor total for one counter (summed over tasks), from the driver's client metrics. */
    double sensorTotal(String operation) {
        return driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(operation + "-total") && e.getKey().group().contains("costline-cost"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }

    /** Every entry of a key-value store, in key order. */
    <V> List<KeyValue<String, V>> all(String store) {
        List<KeyValue<String, V>> out = new ArrayList<>();
        try (KeyValueIterator<String, V> it = driver.<String, V>getKeyValueStore(store).all()) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    /** What the topology wrote to a store's changelog topic since the last call, values as bytes. */
    List<TestRecord<String, byte[]>> changelog(String store) {
        return driver.createOutputTopic(applicationId + "-" + store + "-changelog", new StringDeserializer(),
                new ByteArrayDeserializer()).readRecordsToList();
    }

    @Override
    public void close() {
        driver.close();
    }

    /**
     * Instances of one application (the same id, so the same changelog topic names) that a test runs side by side or
     * one after the other, each a driver of its own on the same wall clock; closed together after the test.
     */
    static final class Instances implements AutoCloseable {
        private final String applicationId;
        private final Instant wallClock;
        private final List<CostDriver> opened = new ArrayList<>();

        Instances(String applicationId, Instant wallClock) {
            this.applicationId = applicationId;
            this.wallClock = wallClock;
        }

        CostDriver start(CostSettings cfg) {
            CostDriver app = new CostDriver(cfg, applicationId, wallClock);
            opened.add(app);
            return app;
        }

        @Override
        public void close() {
            opened.forEach(CostDriver::close);
        }
    }

    static PriceEntry cloudPrice(String dollarsPerHour, Instant from) {
        return PriceEntry.newBuilder().setPriceKey(PriceKeys.cloud("aws", "us-east-1", "p4d.24xlarge")).setSite(Site.CLOUD)
                .setGpuModel(Samples.A100_MODEL).setEffectiveFrom(from).setOnprem(null)
                .setCloudPrice(CloudPrice.newBuilder().setProvider("aws").setRegion("us-east-1").setInstanceType("p4d.24xlarge")
                        .setGpusPerInstance(8).setPricingModel("ON_DEMAND").setInstanceHourlyMicroUsd(CostModel.microUsd(dollarsPerHour)).build())
                .setReference("test").build();
    }

    static PriceEntry onPremPrice() {
        return PriceEntry.newBuilder().setPriceKey(PriceKeys.onPrem(Samples.H100_MODEL)).setSite(Site.ONPREM)
                .setGpuModel(Samples.H100_MODEL).setEffectiveFrom(Instant.parse("2025-01-01T00:00:00Z")).setCloudPrice(null)
                .setOnprem(OnPremPrice.newBuilder().setCapexPerGpuMicroUsd(CostModel.microUsd("38750")).setResidualPerGpuMicroUsd(0)
                        .setAmortizationMonths(48).setYearlyOpsPerGpuMicroUsd(CostModel.microUsd("2500")).setPue(1.4)
                        .setEnergyMicroUsdPerKwh(CostModel.microUsd("0.12")).build())
                .setReference("test").build();
    }
}
