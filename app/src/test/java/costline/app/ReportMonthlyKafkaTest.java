package costline.app;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.CostRecord;
import costline.events.Site;
import costline.schemas.Topics;
import costline.schemas.serde.AvroSerializer;
import costline.schemas.registry.SchemaRegistries;
import costline.streams.rollup.MonthlyRollupTopology;
import costline.streams.rollup.RollupConfig;
import costline.testkit.InProcessKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The rollup topology on a real broker with exactly_once_v2, then {@code report monthly} reading the rollup topic:
 * the CSV holds the FINAL totals of October, a correction from late data, and a TOTAL row. October closes by stream
 * time or, on a partition whose stream time stays in October, by the wall clock (long past it).
 */
@Timeout(180)
class ReportMonthlyKafkaTest {

    static InProcessKafka kafka;
    final String registry = "mock://report-" + UUID.randomUUID();

    @TempDir
    Path dir;

    @BeforeAll
    static void startKafka() {
        kafka = InProcessKafka.start();
        // the records carry last month's event times: time retention would delete them within minutes
        kafka.createTopics(1, java.util.Map.of("retention.ms", "-1"), Topics.GPU_COST, Topics.GPU_FINANCE_DLQ);
        kafka.createTopics(1, java.util.Map.of("cleanup.policy", "compact"), Topics.GPU_ROLLUP_MONTHLY);
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    static CostRecord minute(String workload, String team, Site site, String start, long gpuMs, long cost) {
        Instant s = Instant.parse(start);
        return CostRecord.newBuilder().setWorkload(workload).setTeam(team).setSite(site).setGpuModel("NVIDIA A100-SXM4-40GB")
                .setWindowStart(s).setWindowEnd(s.plusSeconds(60)).setGpuMs(gpuMs).setBusyGpuMs(gpuMs / 2)
                .setCostMicroUsd(cost).setIdleMicroUsd(cost / 2).setEnergyMj(gpuMs * 300).setSamples(60).build();
    }

    @Test
    void finalMonthFromARealBrokerAsCsv() throws Exception {
        Properties streamsProps = new Properties();
        streamsProps.put(StreamsConfig.APPLICATION_ID_CONFIG, "rollup-" + UUID.randomUUID());
        streamsProps.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        streamsProps.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        streamsProps.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        streamsProps.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        streamsProps.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);

        RollupConfig config = RollupConfig.defaults(registry).withGrace(Duration.ofHours(1));
        try (KafkaStreams streams = new KafkaStreams(MonthlyRollupTopology.build(config), streamsProps)) {
            streams.start();
            Properties p = kafka.clientProperties();
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            try (KafkaProducer<String, CostRecord> producer = new KafkaProducer<>(p, new StringSerializer(),
                    new AvroSerializer<>(SchemaRegistries.forUrl(registry)))) {
                List<CostRecord> october = List.of(
                        minute("llm-pretrain", "ml-platform", Site.CLOUD, "2026-10-01T00:00:00Z", 480_000, 533_334),
                        minute("llm-pretrain", "ml-platform", Site.CLOUD, "2026-10-31T23:59:00Z", 480_000, 533_333),
                        minute("llm-pretrain", "ml-platform", Site.ONPREM, "2026-10-15T12:00:00Z", 60_000, 17_123),
                        minute("search, ranking", "search", Site.CLOUD, "2026-10-10T08:00:00Z", 120_000, 133_333),
                        // November: stream time passes October's end + grace
                        minute("llm-pretrain", "ml-platform", Site.CLOUD, "2026-11-01T02:00:00Z", 60_000, 1),
                        minute("search, ranking", "search", Site.CLOUD, "2026-11-01T02:00:00Z", 60_000, 1),
                        minute("z-other", "x", Site.CLOUD, "2026-11-01T02:00:00Z", 60_000, 1),
                        minute("a-other", "x", Site.CLOUD, "2026-11-01T02:00:00Z", 60_000, 1));
                for (CostRecord r : october) {
                    producer.send(new ProducerRecord<>(Topics.GPU_COST, null, r.getWindowEnd().toEpochMilli(), r.getWorkload(), r))
                            .get(30, java.util.concurrent.TimeUnit.SECONDS);
                }
                producer.flush();
                // late: October data after close + grace, a correction
                CostRecord late = minute("search, ranking", "search", Site.CLOUD, "2026-10-20T08:00:00Z", 60_000, 66_667);
                awaitCsv("2026-10", csv -> csv.lines().count() == 5 && !csv.contains("MONTH_TO_DATE"));
                producer.send(new ProducerRecord<>(Topics.GPU_COST, null, Instant.parse("2026-11-01T02:05:00Z").toEpochMilli(),
                        late.getWorkload(), late));
                producer.flush();
            }
            String csv = awaitCsv("2026-10", c -> c.contains("CORRECTION"));
            List<String> lines = csv.lines().toList();
            assertThat(lines.get(0)).isEqualTo("month,zone,workload,team,site,gpu_model,status,revision,gpu_hours,"
                    + "busy_gpu_hours,avg_util_pct,cost_usd,idle_usd,energy_kwh,updated_at");
            assertThat(lines).hasSize(5);
            assertThat(lines.get(1)).startsWith("2026-10,UTC,llm-pretrain,ml-platform,CLOUD,NVIDIA A100-SXM4-40GB,FINAL,0,"
                    + "0.266667,0.133333,50.00,1.07,0.53,0.080000,2026-10-31T23:59:00Z");
            assertThat(lines.get(2)).startsWith("2026-10,UTC,llm-pretrain,ml-platform,ONPREM,NVIDIA A100-SXM4-40GB,FINAL,0,"
                    + "0.016667,0.008333,50.00,0.02,0.01,0.005000");
            assertThat(lines.get(3)).startsWith("2026-10,UTC,\"search, ranking\",search,CLOUD,NVIDIA A100-SXM4-40GB,CORRECTION,1,"
                    + "0.050000,0.025000,50.00,0.20,0.10,0.015000");
            // totals from the exact micro-USD: 533,334 + 533,333 + 17,123 + 133,333 + 66,667 = 1,283,790 -> $1.28
            assertThat(lines.get(4)).isEqualTo("2026-10,UTC,TOTAL,,,,FINAL,,0.333333,0.166667,50.00,1.28,0.64,0.100000,");

            // The same month as FOCUS from the same topic: the FINAL rows as invoiced, the late minute as a Correction
            // row of +$0.066667 (search's FINAL was $0.133333, its correction $0.200000), the total 1,283,790 micro-USD.
            Path focus = dir.resolve("focus-2026-10.csv.gz");
            StringWriter err = new StringWriter();
            CommandLine cmd = new CommandLine(new Costline());
            cmd.setErr(new PrintWriter(err));
            int code = cmd.execute("report", "focus", "--month", "2026-10", "--bootstrap-servers", kafka.bootstrapServers(),
                    "--registry-url", registry, "--output", focus.toString(), "--timeout", "PT20S", "--require-final");
            assertThat(code).as(err.toString()).isZero();
            assertThat(err.toString()).contains("FOCUS 1.2: 4 rows (1 corrections), EffectiveCost total $1.283790 = rollup total $1.283790");
            List<String> focusLines;
            try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(
                    new java.util.zip.GZIPInputStream(Files.newInputStream(focus)), java.nio.charset.StandardCharsets.UTF_8))) {
                focusLines = in.lines().toList();
            }
            assertThat(focusLines).hasSize(5);
            // FOCUS metadata beside the data (4.7): the version and one definition per column
            var meta = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("focus-2026-10.metadata.json").toFile());
            assertThat(meta.path("Schema").path("FocusVersion").asText()).isEqualTo("1.2");
            assertThat(meta.path("Schema").path("ColumnDefinition").size()).isEqualTo(focusLines.get(0).split(",").length);
            assertThat(focusLines).filteredOn(l -> l.contains(",Correction,")).singleElement()
                    .satisfies(l -> assertThat(l).contains("search, ranking").contains(",0.066667,"));
        }
    }

    /** Runs {@code report monthly} until its CSV satisfies {@code done} (the pipeline is asynchronous). */
    String awaitCsv(String month, java.util.function.Predicate<String> done) throws Exception {
        Path out = dir.resolve("report-" + month + ".csv");
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String csv = "";
        while (System.nanoTime() < deadline) {
            StringWriter err = new StringWriter();
            CommandLine cmd = new CommandLine(new Costline());
            cmd.setErr(new PrintWriter(err));
            int code = cmd.execute("report", "monthly", "--month", month, "--bootstrap-servers", kafka.bootstrapServers(),
                    "--registry-url", registry, "--output", out.toString(), "--timeout", "PT20S");
            assertThat(code).as(err.toString()).isZero();
            csv = Files.readString(out);
            if (done.test(csv)) {
                return csv;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("report never got there; last CSV:\n" + csv);
    }
}
