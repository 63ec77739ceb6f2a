package costline.reliability;

import costline.testkit.TestCatalog;
import costline.events.CloudPlacement;
import costline.events.CloudPrice;
import costline.events.CostRecord;
import costline.events.GpuSample;
import costline.events.OnPremPrice;
import costline.events.Site;
import costline.events.Source;
import costline.events.WorkloadShare;
import costline.pricing.CostModel;
import costline.schemas.Topics;
import costline.schemas.registry.InProcessSchemaRegistryServer;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroDeserializer;
import costline.schemas.serde.AvroSerializer;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Settings;
import costline.streams.runtime.StreamsRunner;
import costline.streams.cost.CostApp;
import costline.streams.cost.CostTopology;
import costline.streams.prices.PriceCatalog;
import costline.streams.prices.PricesLoader;
import costline.testkit.InProcessKafka;
import costline.testkit.TopicRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The cost pipeline on real parts for the fault tests: an in-process broker (given, so a test can choose plain or
 * SASL), the in-process schema registry over HTTP, a one-price catalog loaded by the loader, and the cost topology
 * started through {@link StreamsRunner} exactly as {@code costline streams run} starts it. Expected amounts come from
 * {@link CostModel} with the catalog's numbers, never from the topology.
 */
final class CostPipeline implements AutoCloseable {

    /** A p4d.24xlarge: 8 A100s at $21.96 an hour, so one GPU-minute costs 45,750 micro-USD. */
    static final String CATALOG = TestCatalog.YAML;
    static final CloudPrice PRICE = CloudPrice.newBuilder().setProvider("aws").setRegion("us-east-1")
            .setInstanceType("p4d.24xlarge").setGpusPerInstance(8).setPricingModel("ON_DEMAND")
            .setInstanceHourlyMicroUsd(CostModel.microUsd("21.96")).build();

    /** The H100 line of the catalog: $310,000 / 8 GPUs over 48 months, $2,500 a year of operations, PUE 1.4, $0.12/kWh. */
    static final OnPremPrice ONPREM = OnPremPrice.newBuilder().setCapexPerGpuMicroUsd(CostModel.microUsd("38750"))
            .setResidualPerGpuMicroUsd(0).setAmortizationMonths(48).setYearlyOpsPerGpuMicroUsd(CostModel.microUsd("2500"))
            .setPue(1.4).setEnergyMicroUsdPerKwh(CostModel.microUsd("0.12")).build();

    final InProcessKafka kafka;
    final InProcessSchemaRegistryServer registry;
    final Path dir;
    final int partitions;
    private final AvroSerializer<GpuSample> serializer;

    private CostPipeline(InProcessKafka kafka, InProcessSchemaRegistryServer registry, Path dir, int partitions) {
        this.kafka = kafka;
        this.registry = registry;
        this.dir = dir;
        this.partitions = partitions;
        this.serializer = new AvroSerializer<>(SchemaRegistries.forUrl(registry.url()));
    }

    /** Creates the topics on {@code kafka} and loads the catalog; closing the pipeline closes the registry, not kafka. */
    static CostPipeline start(InProcessKafka kafka, Path dir, int partitions) throws Exception {
        InProcessSchemaRegistryServer registry = InProcessSchemaRegistryServer.start(0);
        kafka.createTopics(partitions, Topics.GPU_SAMPLES, Topics.GPU_COST, Topics.GPU_SAMPLES_DLQ);
        kafka.createTopics(1, PricesLoader.TOPIC_CONFIG, Topics.GPU_PRICES);
        Path catalog = Files.writeString(dir.resolve("catalog.yaml"), CATALOG);
        PricesLoader.load(kafka.clientProperties(), registry.url(), PriceCatalog.read(catalog));
        return new CostPipeline(kafka, registry, dir, partitions);
    }

    /** Settings of one cost-app instance; {@code instance} names its state folder. */
    Map<String, String> settings(String instance) {
        Map<String, String> v = new HashMap<>();
        v.put(KafkaSettings.BOOTSTRAP.key(), kafka.bootstrapServers());
        v.put(KafkaSettings.REGISTRY_URL.key(), registry.url());
        v.put(KafkaSettings.STATE_DIR.key(), dir.resolve("state-" + instance).toString());
        v.put("streams.application.id.prefix", "reliability");
        v.put("cost.emit-interval", "200ms");
        v.put("topics.partitions", String.valueOf(partitions));
        return v;
    }

    static StreamsRunner startCostApp(Map<String, String> settings) throws InterruptedException {
        StreamsRunner runner = new StreamsRunner();
        runner.start(Settings.of(settings), List.of(new CostApp()));
        awaitRunning(runner.streams().get(0), Duration.ofSeconds(60));
        return runner;
    }

    static void awaitRunning(KafkaStreams streams, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("streams not running after " + timeout + "; state " + streams.state());
            }
            Thread.sleep(100);
        }
    }

    /** A cloud A100 sample of one GPU of the p4d, all of it for {@code workload}. */
    static GpuSample cloud(String gpuId, Instant end, long intervalMs, float util, String workload) {
        return GpuSample.newBuilder()
                .setSampleTime(end).setIntervalMs(intervalMs)
                .setSource(Source.CLOUDWATCH).setSite(Site.CLOUD)
                .setHost("ip-10-0-3-17").setGpuId(gpuId).setGpuIndex(0).setGpuModel("NVIDIA A100-SXM4-40GB")
                .setCloud(CloudPlacement.newBuilder().setProvider("aws").setRegion("us-east-1")
                        .setInstanceType("p4d.24xlarge").setInstanceId("i-0a1b2c3d4e5f60718").build())
                .setUtilGpuPct(util)
                .setWorkloads(List.of(WorkloadShare.newBuilder().setWorkload(workload).setTeam("ml").setShare(1f).build()))
                .build();
    }

    /** An on-prem H100 as the NVML collector reports it: power but no energy counter, all of it for {@code workload}. */
    static GpuSample nvml(String gpuId, Instant end, long intervalMs, float util, float powerW, String workload) {
        return GpuSample.newBuilder()
                .setSampleTime(end).setIntervalMs(intervalMs)
                .setSource(Source.NVML).setSite(Site.ONPREM)
                .setHost("gpu-node-07").setGpuId(gpuId).setGpuIndex(0).setGpuModel("NVIDIA H100 80GB HBM3")
                .setUtilGpuPct(util).setPowerW(powerW).setTempC(54).setSmClockMhz(1980)
                .setWorkloads(List.of(WorkloadShare.newBuilder().setWorkload(workload).setTeam("ml").setShare(1f).build()))
                .build();
    }

    /** What one NVML sample costs: amortized capex and operations plus power x interval, each rounded once. */
    static long expectedNvmlMicro(long intervalMs, float powerW) {
        return CostModel.onPremFixedCostMicroUsd(ONPREM, intervalMs)
                + CostModel.energyCostMicroUsd(ONPREM, CostModel.energyMjFromPower(powerW, intervalMs));
    }

    /** What one such sample costs, by the cost model and the catalog's price. */
    static long expectedMicro(long intervalMs) {
        return CostModel.cloudCostMicroUsd(PRICE, intervalMs);
    }

    byte[] encode(GpuSample sample) {
        return serializer.serialize(Topics.GPU_SAMPLES, sample);
    }

    /** The sum of cost_micro_usd over every committed gpu.cost record (they are additive increments). */
    long costTotalMicro() {
        return costTotalMicro(null);
    }

    long costTotalMicro(String workload) {
        AvroDeserializer<CostRecord> des = new AvroDeserializer<>(SchemaRegistries.forUrl(registry.url()), CostRecord.class);
        long sum = 0;
        for (ConsumerRecord<byte[], byte[]> r : TopicRecords.readAll(kafka.clientProperties(), Topics.GPU_COST, Duration.ofSeconds(20))) {
            CostRecord c = des.deserialize(Topics.GPU_COST, r.value());
            if (workload == null || workload.equals(c.getWorkload())) {
                sum += c.getCostMicroUsd();
            }
        }
        return sum;
    }

    /** Waits until gpu.cost sums to {@code expected}; returns the last sum seen (the caller asserts it). */
    long awaitCostTotal(long expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last;
        while (true) {
            last = costTotalMicro();
            if (last == expected || System.nanoTime() > deadline) {
                return last;
            }
            System.out.println("gpu.cost total so far: " + last + " of " + expected);
            Thread.sleep(500);
        }
    }

    /** The cost topology's counters summed over the partitions this instance holds (interactive query). */
    static Map<String, Long> counters(KafkaStreams streams) {
        ReadOnlyKeyValueStore<String, Long> store = streams.store(StoreQueryParameters.fromNameAndType(
                CostTopology.COUNTERS_STORE, QueryableStoreTypes.keyValueStore()));
        Map<String, Long> sums = new TreeMap<>();
        try (KeyValueIterator<String, Long> it = store.all()) {
            it.forEachRemaining(kv -> {
                if (!kv.key.startsWith("watermark")) {
                    sums.merge(kv.key, kv.value, Long::sum);
                }
            });
        }
        return sums;
    }

    @Override
    public void close() {
        registry.close();
    }
}
