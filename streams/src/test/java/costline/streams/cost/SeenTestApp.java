package costline.streams.cost;

import costline.events.CostRecord;
import costline.events.GpuSample;
import costline.events.PriceEntry;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroDeserializer;
import costline.schemas.serde.AvroSerializer;
import costline.streams.prices.PriceKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;

/** One cost topology under a TopologyTestDriver (exactly-once, RocksDB stores), for the de-duplication memory's tests. */
final class SeenTestApp implements AutoCloseable {

    static final String REGISTRY = "mock://seen-by-gpu-test";
    static final Instant DAY = CostTopologyTest.DAY;
    /** emit 1 s, max future 5 min, max interval 1 h, dedup window 1 h, energy max gap 10 min */
    static final CostSettings CFG = new CostSettings(REGISTRY, 1000, 300_000, 3_600_000, 3_600_000, 600_000);

    private static final List<PriceEntry> PRICES = List.of(CostTopologyTest.cloudPrice("32.77", Instant.parse("2025-01-01T00:00:00Z")),
            CostTopologyTest.onPremPrice());
    private final AvroSerializer<GpuSample> serializer = new AvroSerializer<>(SchemaRegistries.forUrl(REGISTRY));
    final TopologyTestDriver driver;
    private final TestInputTopic<byte[], byte[]> samples;
    private final TestOutputTopic<String, CostRecord> cost;

    SeenTestApp() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "seen-by-gpu-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/costline-tt-" + UUID.randomUUID());
        driver = new TopologyTestDriver(CostTopology.build(CFG), props, DAY.plus(Duration.ofDays(2)));
        TestInputTopic<String, PriceEntry> prices = driver.createInputTopic(Topics.GPU_PRICES, new StringSerializer(),
                new AvroSerializer<PriceEntry>(SchemaRegistries.forUrl(REGISTRY)));
        PRICES.forEach(p -> prices.pipeInput(PriceKeys.topicKey(p), p));
        samples = driver.createInputTopic(Topics.GPU_SAMPLES, new ByteArraySerializer(), new ByteArraySerializer());
        cost = driver.createOutputTopic(Topics.GPU_COST, new StringDeserializer(),
                new AvroDeserializer<>(SchemaRegistries.forUrl(REGISTRY), CostRecord.class));
    }

    void send(GpuSample s) {
        samples.pipeInput(s.getGpuId().getBytes(StandardCharsets.UTF_8), serializer.serialize(Topics.GPU_SAMPLES, s),
                s.getSampleTime());
    }

    /** Advances the wall clock past an emit and returns what it forwarded. */
    List<CostRecord> emitted() {
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        return cost.readValuesToList();
    }

    long counter(String name) {
        Long v = driver.<String, Long>getKeyValueStore(CostTopology.COUNTERS_STORE).get(name);
        return v == null ? 0 : v;
    }

    <V> List<KeyValue<String, V>> all(String store) {
        List<KeyValue<String, V>> out = new ArrayList<>();
        try (KeyValueIterator<String, V> it = driver.<String, V>getKeyValueStore(store).all()) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    /** What the de-duplication memory holds for the GPU's sample at {@code t}. */
    StateCodec.Seen seen(String gpuId, Instant t) {
        return SeenSamples.lookup(driver.<String, SeenWindow>getKeyValueStore(CostTopology.SEEN_STORE_BY_GPU)::get, gpuId,
                t.toEpochMilli());
    }

    @Override
    public void close() {
        driver.close();
    }
}
