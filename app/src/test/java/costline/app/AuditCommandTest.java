package costline.app;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.CloudPlacement;
import costline.events.CloudPrice;
import costline.events.CostRecord;
import costline.events.GpuSample;
import costline.events.PriceEntry;
import costline.events.Site;
import costline.events.Source;
import costline.events.WorkloadShare;
import costline.pricing.CostModel;
import costline.schemas.Topics;
import costline.schemas.registry.InProcessSchemaRegistryServer;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroSerializer;
import costline.streams.audit.AuditReport;
import costline.streams.audit.LedgerAudit;
import costline.streams.config.InfluxSettings;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Settings;
import costline.streams.runtime.StreamsRunner;
import costline.streams.cost.CostApp;
import costline.streams.prices.PriceCatalog;
import costline.streams.prices.PriceKeys;
import costline.streams.prices.PricesLoader;
import costline.streams.rollup.MonthlyReport;
import costline.streams.rollup.RollupApp;
import costline.streams.rollup.RollupTopicReader;
import costline.streams.sink.InfluxSink;
import costline.streams.sink.QuestDbTables;
import costline.embedded.EmbeddedQuestDb;
import costline.testkit.InProcessKafka;
import costline.testkit.TestCatalog;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code costline audit} on real parts: an in-process broker and registry, the cost and rollup topologies, the sink
 * writing to an embedded QuestDB, and the finance CSV. October gets corrections, duplicates, a 5-minute period that
 * spans a price change and one that spans the month's end; the audit agrees with every source to the micro-dollar.
 * Then a rogue increment on gpu.cost, which the rollup and the store faithfully add, is found as a difference.
 */
@Timeout(240)
class AuditCommandTest {

    static final String A100 = "NVIDIA A100-SXM4-40GB";
    static final String H100 = "NVIDIA H100 80GB HBM3";
    static final Instant T0 = Instant.parse("2026-10-31T23:00:00Z");

    /** A difference row whose gpu.cost, rollup and store columns are each +1,234 micro-USD. */
    static final java.util.regex.Pattern ALL_THREE = java.util.regex.Pattern.compile("\\s1234\\s+1234\\s+1234\\s*$",
            java.util.regex.Pattern.MULTILINE);

    @TempDir
    Path dir;

    @Test
    void theAuditAgreesWithEverySourceAndFindsARogueIncrement() throws Exception {
        try (InProcessKafka kafka = InProcessKafka.start();
             InProcessSchemaRegistryServer registry = InProcessSchemaRegistryServer.start(0)) {
            // last month's event times: no time retention, or the broker would delete them
            kafka.createTopics(3, Map.of("retention.ms", "-1"), Topics.GPU_SAMPLES, Topics.GPU_COST, Topics.GPU_SAMPLES_DLQ,
                    Topics.GPU_PRICES_DLQ, Topics.GPU_FINANCE_DLQ, Topics.GPU_SINK_DLQ);
            kafka.createTopics(3, Map.of("cleanup.policy", "compact"), Topics.GPU_ROLLUP_MONTHLY);
            kafka.createTopics(1, PricesLoader.TOPIC_CONFIG, Topics.GPU_PRICES);
            List<PriceEntry> prices = new ArrayList<>(PriceCatalog.parse(
                    new java.io.ByteArrayInputStream(TestCatalog.YAML.getBytes()), "test"));
            // a new cloud price from 23:10:30, inside a 5-minute period
            prices.add(cloudPrice("32.77", T0.plusSeconds(630)));
            PricesLoader.load(kafka.clientProperties(), registry.url(), prices);

            EmbeddedQuestDb store = EmbeddedQuestDb.start(dir.resolve("questdb"));
            QuestDbTables.ddl().forEach(store::sql);
            Map<String, String> values = new HashMap<>();
            values.put(KafkaSettings.BOOTSTRAP.key(), kafka.bootstrapServers());
            values.put(KafkaSettings.REGISTRY_URL.key(), registry.url());
            values.put(KafkaSettings.STATE_DIR.key(), dir.resolve("state").toString());
            values.put("streams.application.id.prefix", "audit");
            values.put("cost.emit-interval", "200ms");
            values.put("streams.commit.interval.ms", "200");
            values.put("topics.partitions", "3");
            values.put("rollup.wall-clock-close", "false");
            values.put(InfluxSettings.URL.key(), store.url());
            values.put("influx.token", "unused-by-questdb");
            values.put("sink.topics", Topics.GPU_COST);
            values.put("sink.poll-timeout", "100ms");
            Settings settings = Settings.of(values);
            Path config = dir.resolve("costline.properties");
            StringBuilder props = new StringBuilder();
            values.forEach((k, v) -> {
                if (!k.equals("influx.token")) {
                    props.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n');
                }
            });
            Path token = Files.writeString(dir.resolve("token"), "unused-by-questdb\n");
            props.append("influx.token.file=").append(token).append('\n');
            Files.writeString(config, props);

            InfluxSink sink = new InfluxSink(KafkaSettings.clientProperties(settings), registry.url(), InfluxSettings.from(settings));
            Thread sinkThread = new Thread(sink::run, "audit-sink");
            try (StreamsRunner runner = new StreamsRunner()) {
                runner.start(settings, List.of(new CostApp(), new RollupApp()));
                sinkThread.start();
                produce(kafka, registry.url(), samples());

                YearMonth october = YearMonth.of(2026, 10);
                Path csv = dir.resolve("costline-2026-10.csv");
                AuditReport report = awaitAgreement(settings, october, csv, kafka, registry.url());
                assertThat(report.differences()).as(render(report)).isEmpty();
                // 2 cloud GPUs x 60 one-minute periods, 1 on-prem GPU x 360 10-s samples, the 5-minute periods: all October
                assertThat(report.keys()).hasSizeGreaterThanOrEqualTo(3);
                assertThat(report.totalMicroUsd()).isPositive();

                // the command: same figures, exit 0
                StringWriter out = new StringWriter();
                int code = command(out, "audit", "--month", "2026-10", "--config", config.toString(), "--store-query", "SQL",
                        "--csv", csv.toString(), "--timeout", "60s");
                assertThat(code).as(out.toString()).isZero();
                assertThat(out.toString()).contains(report.summary()).contains("differences 0");

                // a rogue increment on gpu.cost: the rollup and the store add it, the fold of the raw inputs does not
                CostRecord rogue = CostRecord.newBuilder().setWorkload("llm").setTeam("ml").setSite(Site.CLOUD).setGpuModel(A100)
                        .setWindowStart(T0.plusSeconds(1200)).setWindowEnd(T0.plusSeconds(1260)).setGpuMs(0).setBusyGpuMs(0)
                        .setCostMicroUsd(1_234).setIdleMicroUsd(0).setEnergyMj(0).setSamples(0).setRevision(99_999).build();
                Properties p = kafka.clientProperties();
                try (KafkaProducer<String, CostRecord> producer = new KafkaProducer<>(p, new StringSerializer(),
                        new AvroSerializer<>(SchemaRegistries.forUrl(registry.url())))) {
                    producer.send(new ProducerRecord<>(Topics.GPU_COST, "llm", rogue)).get();
                }
                StringWriter out2 = new StringWriter();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                int code2;
                do {
                    out2.getBuffer().setLength(0);
                    code2 = command(out2, "audit", "--month", "2026-10", "--config", config.toString(), "--store-query", "SQL",
                            "--timeout", "60s");
                } while (!ALL_THREE.matcher(out2.toString()).find() && System.nanoTime() < deadline);
                assertThat(code2).as(out2.toString()).isEqualTo(1);
                // one key differs, by +1,234 micro-USD in gpu.cost, the rollup and the store alike
                assertThat(out2.toString()).contains("llm | CLOUD | " + A100).contains("differences 1")
                        .matches(text -> ALL_THREE.matcher(text).find(), "gpu.cost, rollup and store each +1234");
            } finally {
                sink.close();
                sinkThread.join(20_000);
                sink.release();
                store.close();
            }
        }
    }

    private AuditReport awaitAgreement(Settings settings, YearMonth month, Path csv, InProcessKafka kafka, String registryUrl)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        AuditReport report;
        do {
            Thread.sleep(1000);
            try (Writer w = Files.newBufferedWriter(csv)) {
                MonthlyReport.write(month.toString(), RollupTopicReader.latestOfMonth(kafka.bootstrapServers(), registryUrl,
                        Topics.GPU_ROLLUP_MONTHLY, month.toString(), Duration.ofSeconds(30)).values(), w);
            }
            report = LedgerAudit.run(AuditCommand.options(settings, month, LedgerAudit.StoreQuery.SQL, csv, Duration.ofSeconds(60)));
        } while (!report.differences().isEmpty() && System.nanoTime() < deadline);
        return report;
    }

    private static String render(AuditReport r) {
        StringWriter s = new StringWriter();
        r.print(new PrintWriter(s));
        return s.toString();
    }

    private static int command(StringWriter out, String... args) {
        CommandLine cmd = new CommandLine(new Costline());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(out));
        return cmd.execute(args);
    }

    /** An hour of October's last hour and into November, with the things that make ledgers disagree. */
    private static List<GpuSample> samples() {
        List<GpuSample> out = new ArrayList<>();
        for (int m = 1; m <= 60; m++) {
            for (int g = 0; g < 2; g++) {
                out.add(cloud("i-a/" + g, T0.plusSeconds(60L * m), 60_000, 40f + m % 50, "llm", 0.75f, "eval", 0.25f));
            }
        }
        for (int s = 1; s <= 360; s++) {
            out.add(onPrem("GPU-h-0", T0.plusSeconds(10L * s), 10_000, 600f - s % 7, "train"));
        }
        // a 5-minute period across the price change at 23:10:30, and one across the month's end (23:58 .. 00:03)
        out.add(cloud("i-b/0", T0.plusSeconds(780), 300_000, 90f, "batch", 1f, null, 0f));
        out.add(cloud("i-b/0", T0.plusSeconds(3780), 300_000, 90f, "batch", 1f, null, 0f));
        // a correction (same GPU and time, other utilization and shares) and a duplicate
        out.add(cloud("i-a/0", T0.plusSeconds(600), 60_000, 99f, "llm", 0.5f, "eval", 0.5f));
        out.add(cloud("i-a/1", T0.plusSeconds(660), 60_000, 40f + 11, "llm", 0.75f, "eval", 0.25f));
        return out;
    }

    private static void produce(InProcessKafka kafka, String registryUrl, List<GpuSample> samples) throws Exception {
        Properties p = kafka.clientProperties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        AvroSerializer<GpuSample> ser = new AvroSerializer<>(SchemaRegistries.forUrl(registryUrl));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (GpuSample s : samples) {
                producer.send(new ProducerRecord<>(Topics.GPU_SAMPLES, null, s.getSampleTime().toEpochMilli(), s.getGpuId(),
                        ser.serialize(Topics.GPU_SAMPLES, s)));
            }
            producer.flush();
        }
    }

    private static GpuSample cloud(String gpu, Instant end, long intervalMs, float util, String w1, float s1, String w2, float s2) {
        List<WorkloadShare> shares = new ArrayList<>();
        shares.add(WorkloadShare.newBuilder().setWorkload(w1).setTeam("ml").setShare(s1).build());
        if (w2 != null) {
            shares.add(WorkloadShare.newBuilder().setWorkload(w2).setTeam("ml").setShare(s2).build());
        }
        return GpuSample.newBuilder().setSampleTime(end).setIntervalMs(intervalMs).setSource(Source.CLOUDWATCH)
                .setSite(Site.CLOUD).setHost("ip-10-0-0-1").setGpuId(gpu).setGpuIndex(0).setGpuModel(A100)
                .setCloud(CloudPlacement.newBuilder().setProvider("aws").setRegion("us-east-1").setInstanceType("p4d.24xlarge")
                        .setInstanceId("i-0123").build())
                .setUtilGpuPct(util).setWorkloads(shares).build();
    }

    private static GpuSample onPrem(String gpu, Instant end, long intervalMs, float powerW, String workload) {
        return GpuSample.newBuilder().setSampleTime(end).setIntervalMs(intervalMs).setSource(Source.NVML).setSite(Site.ONPREM)
                .setHost("gpu-node-1").setGpuId(gpu).setGpuIndex(0).setGpuModel(H100).setUtilGpuPct(70f).setPowerW(powerW)
                .setWorkloads(List.of(WorkloadShare.newBuilder().setWorkload(workload).setTeam("research").setShare(1f).build()))
                .build();
    }

    private static PriceEntry cloudPrice(String dollarsPerHour, Instant from) {
        return PriceEntry.newBuilder().setPriceKey(PriceKeys.cloud("aws", "us-east-1", "p4d.24xlarge")).setSite(Site.CLOUD)
                .setGpuModel(A100).setEffectiveFrom(from).setOnprem(null)
                .setCloudPrice(CloudPrice.newBuilder().setProvider("aws").setRegion("us-east-1").setInstanceType("p4d.24xlarge")
                        .setGpusPerInstance(8).setPricingModel("ON_DEMAND")
                        .setInstanceHourlyMicroUsd(CostModel.microUsd(dollarsPerHour)).build())
                .setReference("test").build();
    }
}
