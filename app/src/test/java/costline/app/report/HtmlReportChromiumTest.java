package costline.app.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import costline.events.AlertState;
import costline.events.BreakEvenRecommendation;
import costline.events.CostRecord;
import costline.events.Direction;
import costline.events.DriftMetric;
import costline.events.DriftSignal;
import costline.events.EntityType;
import costline.events.MonthlyRollup;
import costline.events.Recommendation;
import costline.events.RollupStatus;
import costline.events.Severity;
import costline.events.Site;
import costline.events.SpendAlert;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroSerializer;
import costline.testkit.InProcessKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code costline report html} against a real broker, its file opened in Debian's headless Chromium: the page loads
 * with no console error and no request beyond its own file, every chart has drawn marks, the totals are the rollups'
 * to the cent, names are escaped, and a screenshot lands in target/report-screenshots. The topics are filled as the
 * topologies fill them (their own tests cover how): October with a correction after FINAL and a hostile workload
 * name, September to compare with, and August with nothing.
 */
@Timeout(300)
class HtmlReportChromiumTest {

    /** Quotes, angle brackets, a script tag and an image that would fetch if it were ever parsed as markup. */
    static final String HOSTILE = "x\"'><script>document.title='pwned';console.error('pwned')</script><img src=\"https://example.invalid/x.png\">";
    static final String A100 = "NVIDIA A100-SXM4-40GB";
    static final String H100 = "NVIDIA H100 80GB HBM3";
    static final Path SCREENSHOTS = Path.of("target", "report-screenshots");

    static InProcessKafka kafka;
    static final String registry = "mock://html-report-" + UUID.randomUUID();

    @TempDir
    static Path dir;

    @BeforeAll
    static void fillTopics() throws Exception {
        kafka = InProcessKafka.start();
        kafka.createTopics(2, Map.of("retention.ms", "-1"), Topics.GPU_COST, Topics.GPU_ALERTS, Topics.GPU_DRIFT);
        kafka.createTopics(2, Map.of("cleanup.policy", "compact"), Topics.GPU_ROLLUP_MONTHLY, Topics.GPU_BREAKEVEN);
        List<ProducerRecord<String, SpecificRecord>> records = new ArrayList<>();

        // September: recsys-train only, 8 GPUs x 720 h at $2.745 per GPU-hour = $15,811.20.
        rollup(records, "2026-09", "recsys-train", Site.CLOUD, A100, RollupStatus.FINAL, 0, 5_760L * 3_600_000, 15_811_200_000L, 3_000_000_000L);
        // October, FINAL: recsys-train 8 GPUs x 744 h = 5,952 GPU-h x $2.745 = $16,338.24.
        rollup(records, "2026-10", "recsys-train", Site.CLOUD, A100, RollupStatus.FINAL, 0, 5_952L * 3_600_000, 16_338_240_000L, 2_000_000_000L);
        // llm-train on-prem: FINAL at $7,000.00, then late data makes CORRECTION 1 at $7,012.34 (the latest per key wins).
        rollup(records, "2026-10", "llm-train", Site.ONPREM, H100, RollupStatus.FINAL, 0, 4_464L * 3_600_000, 7_000_000_000L, 700_000_000L);
        rollup(records, "2026-10", "llm-train", Site.ONPREM, H100, RollupStatus.CORRECTION, 1, 4_465L * 3_600_000, 7_012_340_000L, 701_000_000L);
        // The inventory's owned-but-unsampled time: $500.005, which alone rounds half-even to $500.00.
        rollup(records, "2026-10", "unobserved", Site.ONPREM, H100, RollupStatus.FINAL, 0, 744L * 3_600_000, 500_005_000L, 500_005_000L);
        // The hostile name on a g5 (A10G): $123.456789.
        rollup(records, "2026-10", HOSTILE, Site.CLOUD, "NVIDIA A10G", RollupStatus.FINAL, 0, 100L * 3_600_000, 123_456_789L, 120_000_000L);

        // Daily cost increments (what the charts stack): recsys-train $527.04 a day (8 x 24 x $2.745), llm-train on-prem
        // $226.20 a day, the hostile workload $3.98 on ten days.
        for (int d = 1; d <= 31; d++) {
            String day = String.format("2026-10-%02dT12:00:00Z", d);
            cost(records, "recsys-train", Site.CLOUD, A100, day, 527_040_000L);
            cost(records, "llm-train", Site.ONPREM, H100, day, 226_200_000L);
            if (d <= 10) {
                cost(records, HOSTILE, Site.CLOUD, "NVIDIA A10G", day, 3_980_000L);
            }
        }
        // The fleet's cloud spend crosses its line on the 20th; the hostile workload only warns.
        alert(records, "*fleet*", AlertState.WARNING, "2026-10-12T06:00:00Z", 6_400_000_000L, 10_500_000_000L);
        alert(records, "*fleet*", AlertState.FIRING, "2026-10-20T06:00:00Z", 10_560_000_000L, 10_500_000_000L);
        alert(records, HOSTILE, AlertState.WARNING, "2026-10-05T00:00:00Z", 19_900_000L, 60_000_000L);

        // The fleet's recommendation: 8 A100s always busy, 8 more a quarter of the time.
        List<Double> f = new ArrayList<>(Collections.nCopies(8, 1.0));
        f.addAll(Collections.nCopies(8, 0.25));
        BreakEvenRecommendation b = BreakEvenRecommendation.newBuilder().setScope("*fleet*").setGpuModel(A100)
                .setComputedAt(Instant.parse("2026-11-01T00:00:00Z")).setWindowStart(Instant.parse("2026-10-02T00:00:00Z"))
                .setWindowEnd(Instant.parse("2026-11-01T00:00:00Z")).setRecommendation(Recommendation.HYBRID)
                .setOptimalOwnedGpus(8).setPeakGpus(16).setMeanGpus(10.0).setLoadDuration(f)
                .setCloudMicroUsdPerGpuHour(2_745_000L).setOwnedMonthlyMicroUsdPerGpu(600_000_000L).setCapexMicroUsd(160_000_000_000L)
                .setBreakEvenMonths(14.3).setYearlySavingsMicroUsd(90_000_000_000L).build();
        records.add(new ProducerRecord<>(Topics.GPU_BREAKEVEN, null, b.getComputedAt().toEpochMilli(), "*fleet*|" + A100, b));

        drift(records, "recsys-train", DriftMetric.COST_RATE, 21_960_000.0, 10_980_000.0, "2026-10-16T09:00:00Z", Severity.CRITICAL, null);
        drift(records, HOSTILE, DriftMetric.IDLE, 5.0, 0.3, "2026-10-08T03:00:00Z", Severity.WARNING, 1_006_000L);

        Properties p = kafka.clientProperties();
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(p, new StringSerializer(),
                new AvroSerializer<>(SchemaRegistries.forUrl(registry)))) {
            for (ProducerRecord<String, SpecificRecord> r : records) {
                producer.send(r).get(30, TimeUnit.SECONDS); // in order: the correction lands after its FINAL
            }
        }
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void octoberWithACorrectionAfterFinalAndAHostileName() throws Exception {
        Path html = report("2026-10");
        try (HeadlessChromium chromium = HeadlessChromium.start(Files.createDirectories(dir.resolve("profile-oct")))) {
            chromium.load(html);
            assertThat(chromium.errors()).isEmpty();
            assertThat(chromium.requests()).containsExactly(html.toUri().toString());

            // Hand-worked: cloud = 16,338.24 + 123.456789 = 16,461.696789 -> $16,461.70; on-prem = the correction's
            // $7,012.34 (not FINAL's $7,000.00); unobserved $500.005 -> $500.00 (half-even); total = 16,461.696789 +
            // 7,012.34 + 500.005 = 23,974.041789 -> $23,974.04 (rounded once, not a sum of rounded tiles);
            // idle = 2,000 + 701 + 500.005 + 120 = $3,321.005 -> $3,321.00 (half-even); GPU-hours = 5,952 + 4,465 + 744 + 100.
            Map<String, String> figures = figures(chromium);
            assertThat(figures).containsEntry("cloud_usd", "$16,461.70").containsEntry("onprem_usd", "$7,012.34")
                    .containsEntry("unobserved_usd", "$500.00").containsEntry("total_usd", "$23,974.04")
                    .containsEntry("table_total_usd", "$23,974.04").containsEntry("idle_usd", "$3,321.00")
                    .containsEntry("gpu_hours", "11,261.0");
            // Average utilization = busy GPU-ms / GPU-ms over the rows; each row's busy time is half its GPU time: 50.0 %.
            assertThat(figures).containsEntry("avg_util_pct", "50.0 %");
            // September had recsys-train only: cloud +4.1 % (16,461.70 / 15,811.20 - 1 = 4.114 %).
            assertThat(chromium.eval("document.querySelector('[data-figure=cloud_usd]').nextElementSibling.textContent").asText())
                    .isEqualTo("+4.1 % vs 2026-09");

            // The correction shows as such, and the superseded FINAL figure nowhere.
            String text = chromium.eval("document.body.innerText").asText();
            assertThat(text).contains("CORRECTION 1").contains("$7,012.34").doesNotContain("$7,000.00")
                    .contains("1 corrected after FINAL");

            // Escaped, never executed: the name shows as text, no script or image element exists, the title is ours.
            assertThat(text).contains(HOSTILE);
            assertThat(chromium.eval("document.querySelectorAll('script, img').length").asInt()).isZero();
            assertThat(chromium.eval("document.title").asText()).isEqualTo("costline GPU cost report 2026-10");

            // Every chart has drawn marks (shapes in a series colour, not the greys of axes and grid).
            Map<String, Integer> marks = marks(chromium);
            assertThat(marks).containsOnlyKeys("daily-cost", "crossing-0", "crossing-1", "idle-share", "gpu-hours",
                    "breakeven-0", "drift");
            assertThat(marks.values()).allSatisfy(n -> assertThat(n).isPositive());
            // 31 days x recsys-train + llm-train, 10 days of the third: 72 bar segments in the stacked chart.
            assertThat(marks.get("daily-cost")).isGreaterThanOrEqualTo(72);
            // Drift in people's units.
            assertThat(text).contains("$21.96/h -> $10.98/h (-50%)").contains("$1.01/h");

            chromium.screenshot(SCREENSHOTS.resolve("report-2026-10.png"));
            Files.copy(html, SCREENSHOTS.resolve("report-2026-10.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            byte[] pdf = chromium.pdf();
            assertThat(new String(pdf, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
            Files.write(SCREENSHOTS.resolve("report-2026-10.pdf"), pdf);
        }
    }

    @Test
    void aMonthWithNoDataSaysSo() throws Exception {
        Path html = report("2026-08");
        try (HeadlessChromium chromium = HeadlessChromium.start(Files.createDirectories(dir.resolve("profile-aug")))) {
            chromium.load(html);
            assertThat(chromium.errors()).isEmpty();
            assertThat(chromium.requests()).containsExactly(html.toUri().toString());
            assertThat(chromium.eval("document.querySelectorAll('[data-empty=month]').length").asInt()).isEqualTo(1);
            // No chart of the month; the latest recommendation (gpu.breakeven keeps the latest per key) still shows.
            assertThat(marks(chromium)).containsOnlyKeys("breakeven-0");
            // Nothing to sum: every money figure is zero, not missing.
            assertThat(figures(chromium)).containsEntry("total_usd", "$0.00").containsEntry("cloud_usd", "$0.00")
                    .containsEntry("gpu_hours", "0.0").containsEntry("avg_util_pct", "n/a").doesNotContainKey("unobserved_usd");
            chromium.screenshot(SCREENSHOTS.resolve("report-2026-08-empty.png"));
        }
    }

    @Test
    void septemberAloneHasNothingToCompareWith() throws Exception {
        Path html = report("2026-09");
        String page = Files.readString(html);
        // September's tiles carry no change (August had nothing), and the rows are the rollup's.
        assertThat(page).contains("No rollup of 2026-08 to compare with").contains("$15,811.20");
    }

    private Path report(String month) {
        Path out = dir.resolve("costline-" + month + ".html");
        int code = new CommandLine(new costline.app.Costline()).execute("report", "html", "--month", month,
                "--bootstrap-servers", kafka.bootstrapServers(), "--registry-url", registry, "-o", out.toString(), "--timeout", "PT60S");
        assertThat(code).isZero();
        return out;
    }

    private static Map<String, String> figures(HeadlessChromium chromium) throws Exception {
        JsonNode all = chromium.eval("Object.fromEntries([...document.querySelectorAll('[data-figure]')]"
                + ".map(e => [e.dataset.figure, e.textContent]))");
        Map<String, String> out = new HashMap<>();
        all.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static Map<String, Integer> marks(HeadlessChromium chromium) throws Exception {
        JsonNode all = chromium.eval("""
                Object.fromEntries([...document.querySelectorAll('figure.chart')].map(f => [f.dataset.chart,
                  [...f.querySelectorAll('svg path, svg rect, svg line, svg polyline, svg ellipse, svg circle')].filter(e => {
                    const cs = getComputedStyle(e);
                    return [cs.fill, cs.stroke].some(c => {
                      const m = /rgba?\\((\\d+), (\\d+), (\\d+)/.exec(c);
                      return m && !(m[1] === m[2] && m[2] === m[3]);
                    });
                  }).length]))""");
        Map<String, Integer> out = new HashMap<>();
        all.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asInt()));
        return out;
    }

    private static void rollup(List<ProducerRecord<String, SpecificRecord>> out, String month, String workload, Site site,
                               String model, RollupStatus status, int revision, long gpuMs, long cost, long idle) {
        MonthlyRollup r = MonthlyRollup.newBuilder().setMonth(month).setZone("UTC").setWorkload(workload).setTeam("ml")
                .setSite(site).setGpuModel(model).setStatus(status).setRevision(revision).setGpuMs(gpuMs).setBusyGpuMs(gpuMs / 2)
                .setCostMicroUsd(cost).setIdleMicroUsd(idle).setEnergyMj(0).setUpdatedAt(Instant.parse(month + "-28T00:00:00Z")).build();
        out.add(new ProducerRecord<>(Topics.GPU_ROLLUP_MONTHLY, month + "|" + workload + "|" + site + "|" + model, r));
    }

    private static void cost(List<ProducerRecord<String, SpecificRecord>> out, String workload, Site site, String model,
                             String start, long micro) {
        Instant s = Instant.parse(start);
        CostRecord c = CostRecord.newBuilder().setWorkload(workload).setTeam("ml").setSite(site).setGpuModel(model)
                .setWindowStart(s).setWindowEnd(s.plusSeconds(60)).setGpuMs(60_000).setBusyGpuMs(30_000).setCostMicroUsd(micro)
                .setIdleMicroUsd(micro / 2).setEnergyMj(0).setSamples(1).build();
        out.add(new ProducerRecord<>(Topics.GPU_COST, null, s.toEpochMilli(), workload, c));
    }

    private static void alert(List<ProducerRecord<String, SpecificRecord>> out, String scope, AlertState state, String at,
                              long cloud, long line) {
        SpendAlert a = SpendAlert.newBuilder().setWorkload(scope).setMonth("2026-10").setState(state).setAt(Instant.parse(at))
                .setCloudMtdMicroUsd(cloud).setOnpremLineMicroUsd(line).setProjectedCrossDay(null).setProjectedMonthMicroUsd(null).build();
        out.add(new ProducerRecord<>(Topics.GPU_ALERTS, scope, a));
    }

    private static void drift(List<ProducerRecord<String, SpecificRecord>> out, String entity, DriftMetric metric, double baseline,
                              double current, String at, Severity severity, Long wasted) {
        Instant t = Instant.parse(at);
        DriftSignal d = DriftSignal.newBuilder().setEntity(entity).setEntityType(EntityType.WORKLOAD).setMetric(metric)
                .setBaseline(baseline).setCurrent(current).setChangePct((current - baseline) / baseline * 100)
                .setDirection(current < baseline ? Direction.DOWN : Direction.UP).setStartedAt(t.minus(Duration.ofHours(2)))
                .setDetectedAt(t).setSeverity(severity).setWastedMicroUsdPerHour(wasted).build();
        out.add(new ProducerRecord<>(Topics.GPU_DRIFT, entity, d));
    }
}
