package costline.app;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.CostRecord;
import costline.events.GpuSample;
import costline.events.MonthlyRollup;
import costline.events.RollupStatus;
import costline.events.Site;
import costline.events.WorkloadShare;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroSerializer;
import costline.testkit.InProcessKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code report monthly|html|focus} and {@code audit} against topics that hold, besides good records, what no costline
 * producer writes: garbage, an unknown schema id, another event's schema, a truncated body, an empty value, null values
 * on gpu.cost and gpu.samples, a rollup whose zone is not a zone, a sample the cost topology refuses. Each command
 * finishes with its figures from the good records only and one stderr line per topic with the skips by reason. On the
 * old code {@code report monthly} and {@code report focus} failed on the first undecodable rollup record, {@code audit}
 * on the first undecodable gpu.cost or rollup record, and {@code report html} and {@code report focus} on the rollup's
 * zone (ZoneRulesException).
 */
@Timeout(180)
class HostileTopicsCommandsTest {

    static InProcessKafka kafka;
    final String registry = "mock://hostile-commands-" + UUID.randomUUID();

    @TempDir
    Path dir;

    @BeforeAll
    static void startKafka() {
        kafka = InProcessKafka.start();
        kafka.createTopics(1, Map.of("retention.ms", "-1"), Topics.GPU_COST, Topics.GPU_SAMPLES, Topics.GPU_ALERTS, Topics.GPU_DRIFT);
        kafka.createTopics(1, Map.of("cleanup.policy", "compact"), Topics.GPU_ROLLUP_MONTHLY, Topics.GPU_BREAKEVEN, Topics.GPU_PRICES);
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    static MonthlyRollup rollup(String workload, String zone, long micro) {
        return MonthlyRollup.newBuilder().setMonth("2026-10").setZone(zone).setWorkload(workload).setTeam("ml").setSite(Site.CLOUD)
                .setGpuModel("NVIDIA A100-SXM4-40GB").setStatus(RollupStatus.FINAL).setRevision(0).setGpuMs(3_600_000)
                .setBusyGpuMs(1_800_000).setCostMicroUsd(micro).setIdleMicroUsd(micro / 2).setEnergyMj(0)
                .setUpdatedAt(Instant.parse("2026-11-01T00:00:00Z")).build();
    }

    static CostRecord cost(String workload) {
        Instant s = Instant.parse("2026-10-05T10:00:00Z");
        return CostRecord.newBuilder().setWorkload(workload).setTeam("ml").setSite(Site.CLOUD).setGpuModel("NVIDIA A100-SXM4-40GB")
                .setWindowStart(s).setWindowEnd(s.plusSeconds(60)).setGpuMs(60_000).setBusyGpuMs(30_000).setCostMicroUsd(45_750)
                .setIdleMicroUsd(0).setEnergyMj(0).setSamples(1).setRevision(0).build();
    }

    /** garbage, unknown schema id, another event's schema, truncated, empty: one each, written to {@code topic} under {@code key}. */
    void hostile(KafkaProducer<String, byte[]> p, String topic, String key, byte[] good, byte[] other) throws Exception {
        byte[] unknown = good.clone();
        ByteBuffer.wrap(unknown).putInt(1, 987_654_321);
        for (byte[] v : List.of("not avro".getBytes(StandardCharsets.UTF_8), unknown, other,
                java.util.Arrays.copyOf(good, good.length / 2), new byte[0])) {
            p.send(new ProducerRecord<>(topic, key, v)).get();
        }
    }

    @Test
    void reportsAndAuditSkipBadRecordsWithACountByReason() throws Exception {
        AvroSerializer<SpecificRecord> ser = new AvroSerializer<>(SchemaRegistries.forUrl(registry));
        Properties props = kafka.clientProperties();
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            byte[] goodRollup = ser.serialize(Topics.GPU_ROLLUP_MONTHLY, rollup("train", "UTC", 1_000_000));
            byte[] goodCost = ser.serialize(Topics.GPU_COST, cost("train"));
            GpuSample bad = GpuSample.newBuilder().setSampleTime(Instant.parse("2026-10-05T10:00:00Z")).setIntervalMs(60_000)
                    .setSource(costline.events.Source.NVML).setSite(Site.ONPREM).setHost("h").setGpuId("").setGpuIndex(0)
                    .setGpuModel("NVIDIA H100 80GB HBM3").setPowerW(300f)
                    .setWorkloads(List.of(WorkloadShare.newBuilder().setWorkload("train").setShare(1f).build())).build();
            byte[] badSample = ser.serialize(Topics.GPU_SAMPLES, bad);
            // the month's rollup topic: a good row, then five bad records under keys of the month (which sort first)
            p.send(new ProducerRecord<>(Topics.GPU_ROLLUP_MONTHLY, "2026-10|train|ml|CLOUD|NVIDIA A100-SXM4-40GB", goodRollup)).get();
            hostile(p, Topics.GPU_ROLLUP_MONTHLY, "2026-10|a-bad", goodRollup, goodCost);
            // a schema-valid rollup whose zone is no zone, first of the month by key: the HTML report drew its days in it
            p.send(new ProducerRecord<>(Topics.GPU_ROLLUP_MONTHLY, "2026-10|0-zone|ml|CLOUD|NVIDIA A100-SXM4-40GB",
                    ser.serialize(Topics.GPU_ROLLUP_MONTHLY, rollup("0-zone", "Not/AZone", 0)))).get();
            hostile(p, Topics.GPU_COST, "train", goodCost, goodRollup);
            p.send(new ProducerRecord<>(Topics.GPU_COST, "train", (byte[]) null)).get();
            hostile(p, Topics.GPU_SAMPLES, "gpu", badSample, goodCost);
            p.send(new ProducerRecord<>(Topics.GPU_SAMPLES, "gpu", (byte[]) null)).get();
            p.send(new ProducerRecord<>(Topics.GPU_SAMPLES, "gpu", badSample)).get();
            hostile(p, Topics.GPU_PRICES, "aws|us-east-1|p4d.24xlarge|ON_DEMAND|2026-01-01T00:00:00Z", goodCost, goodCost);
        }
        String[] source = {"--bootstrap-servers", kafka.bootstrapServers(), "--registry-url", registry};

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(out, err, "report", "monthly", "--month", "2026-10", source[0], source[1], source[2], source[3], "--timeout", "PT20S");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("2026-10,UTC,train,ml,CLOUD,NVIDIA A100-SXM4-40GB,FINAL,0,").contains(",1.00,");
        assertThat(err.toString()).contains("skipped: gpu.rollup.monthly: 6 records skipped (BAD_MAGIC_BYTE 1, CORRUPT_BODY 2, "
                + "EMPTY_VALUE 1, INVALID_ZONE 1, UNKNOWN_SCHEMA_ID 1)");
        assertThat(out.toString()).doesNotContain("0-zone");

        err = new StringWriter();
        code = run(new StringWriter(), err, "report", "focus", "--month", "2026-10", source[0], source[1], source[2], source[3],
                "--timeout", "PT20S", "--output", dir.resolve("focus.csv").toString());
        assertThat(code).as(err.toString()).isZero();
        assertThat(err.toString()).contains("skipped: gpu.rollup.monthly: 6 records skipped").contains("rollup total $1.000000");

        err = new StringWriter();
        Path html = dir.resolve("report.html");
        code = run(new StringWriter(), err, "report", "html", "--month", "2026-10", source[0], source[1], source[2], source[3],
                "--timeout", "PT20S", "--output", html.toString());
        assertThat(code).as(err.toString()).isZero();
        assertThat(err.toString()).contains("skipped: gpu.rollup.monthly: 6 records skipped")
                .contains("skipped: gpu.cost: 6 records skipped (BAD_MAGIC_BYTE 1, CORRUPT_BODY 2, EMPTY_VALUE 1, NULL_VALUE 1, "
                        + "UNKNOWN_SCHEMA_ID 1)");
        assertThat(Files.readString(html)).contains("train").contains("12 record(s) could not be decoded");

        Path config = Files.writeString(dir.resolve("costline.properties"), "kafka.bootstrap.servers=" + kafka.bootstrapServers()
                + "\nschema.registry.url=" + registry + "\n");
        out = new StringWriter();
        err = new StringWriter();
        code = run(out, err, "audit", "--month", "2026-10", "--config", config.toString(), "--store-query", "NONE", "--timeout", "PT30S");
        // the rollup holds 1,000,000 micro-USD that no sample accounts for (gpu.cost holds nothing good): the audit runs to
        // its end and says so, with the bad records of every topic it read counted by reason
        assertThat(code).as(out + "\n" + err).isEqualTo(1);
        assertThat(out.toString()).contains("differences 1");
        assertThat(err.toString())
                .contains("skipped: gpu.prices: 5 records skipped (BAD_MAGIC_BYTE 1, CORRUPT_BODY 2, EMPTY_VALUE 1, UNKNOWN_SCHEMA_ID 1)")
                .contains("skipped: gpu.samples: 7 samples refused by the fold (as the cost topology does) (BAD_MAGIC_BYTE 1, "
                        + "CORRUPT_BODY 2, EMPTY_VALUE 1, INVALID_NAME 1, NULL_VALUE 1, UNKNOWN_SCHEMA_ID 1)")
                .contains("skipped: gpu.cost: 6 records skipped (BAD_MAGIC_BYTE 1, CORRUPT_BODY 2, EMPTY_VALUE 1, NULL_VALUE 1, "
                        + "UNKNOWN_SCHEMA_ID 1)")
                .contains("skipped: gpu.rollup.monthly: 6 records skipped");
    }

    private static int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cmd = new CommandLine(new Costline());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }
}
