package costline.app.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import costline.embedded.EmbeddedQuestDb;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The quickstart over two simulated days, everything embedded, as CI runs it. */
class QuickstartTest {

    @Test
    @Timeout(600)
    void costRollupsRecommendationsAndAlertsReachTheStore(@TempDir Path data, @TempDir Path out) throws Exception {
        QuickstartOptions options = new QuickstartOptions(LocalDate.parse("2026-10-01"), 2, Duration.ofMinutes(5),
                Duration.ZERO, data, out, null, null, null, "costline", "costline", null, false, false, 42,
                "libnvidia-ml-absent-in-this-test.so.1");
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        try (Quickstart quickstart = new Quickstart(options, new PrintStream(screen, true))) {
            Quickstart.Result result = quickstart.run();
            EmbeddedQuestDb store = quickstart.store();

            // 2 days x 288 rounds: 8 + 8 + 1 GPUs always, inference 2 GPUs plus 6 more for 6 hours a day.
            assertThat(result.samplesProduced()).isEqualTo(2 * 288 * (8 + 8 + 1 + 2) + 2 * 72 * 6);
            store.awaitRows("gpu_cost", "select count() from gpu_cost", 1, Duration.ofSeconds(60));
            store.awaitRows("gpu_rollup_monthly", "select count() from gpu_rollup_monthly", 1, Duration.ofSeconds(60));
            store.awaitRows("gpu_breakeven", "select count() from gpu_breakeven", 1, Duration.ofSeconds(60));
            store.awaitRows("gpu_alert", "select count() from gpu_alert", 1, Duration.ofSeconds(60));

            // The p4d.24xlarge held for recsys-train: 8 GPUs x 48 h at $21.96 / 8 per GPU-hour = $1,054.08 exactly.
            String recsys = "select sum(cost_usd) from gpu_cost where workload = 'recsys-train'";
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            double total = 0;
            while (System.nanoTime() < deadline) {
                total = store.sql(recsys).path("dataset").path(0).path(0).asDouble();
                if (Math.round(total * 100) == 105_408) {
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(Math.round(total * 100)).isEqualTo(105_408);

            // Finance reads the same figure from Kafka, in the CSV.
            List<String> csv = Files.readAllLines(out.resolve("costline-2026-10.csv"));
            assertThat(csv).anyMatch(line -> line.startsWith("2026-10,UTC,recsys-train,ads,CLOUD,")
                    && line.contains(",384.000000,") && line.contains(",1054.08,"));
            assertThat(out.resolve("break-even-fleet.png")).exists();

            // Defect 4: the simulated 8 x H100 server and a spare one that runs nothing are owned (inventory, in service
            // from October 1st 00:00), so their fixed cost is 16 GPUs x the closed hours x the rate, whatever was sampled.
            // The quickstart closes hours on stream time: the newest sample, October 3rd 00:00, minus the 15-minute grace
            // closes the first 47 hours. The default catalog's rate: $38,750 per GPU over 48 x 730 h = 1,105,878.995 +
            // $2,500 a year / 8,760 h = 285,388.128 micro-USD, 1,391,267.123 -> 1,391,267 micro-USD per GPU-hour.
            // Spare server: 8 x 47 x 1,391,267 = 523,116,392, all unobserved (the old code charged nothing for it).
            // Sampled server: each hour's 12 five-minute samples charge 12 x round(1,391,267.123 / 12 = 115,938.93) =
            // 12 x 115,939 = 1,391,268, one micro-dollar more than the hour: -1 x 8 x 47 = -376 unobserved.
            // unobserved = 523,116,392 - 376 = 523,116,016: $523.12 in the CSV.
            List<String> header = List.of(csv.get(0).split(","));
            String unobserved = csv.stream().filter(line -> line.startsWith("2026-10,UTC,unobserved,")).findFirst().orElseThrow();
            String[] row = unobserved.split(",");
            assertThat(row[header.indexOf("site")]).isEqualTo("ONPREM");
            assertThat(row[header.indexOf("gpu_model")]).isEqualTo("NVIDIA H100 80GB HBM3");
            long rate = costline.pricing.CostModel.onPremFixedCostMicroUsd(h100().getOnprem(), 3_600_000);
            long fiveMinutes = costline.pricing.CostModel.onPremFixedCostMicroUsd(h100().getOnprem(), 300_000);
            assertThat(rate).isEqualTo(1_391_267);
            assertThat(fiveMinutes).isEqualTo(115_939);
            long closedHours = 47;
            long fixedOfClosedHours = 16 * closedHours * rate;
            long sampledInClosedHours = 8 * closedHours * 12 * fiveMinutes;
            assertThat(fixedOfClosedHours - sampledInClosedHours).isEqualTo(523_116_016L);
            assertThat(row[header.indexOf("cost_usd")]).isEqualTo("523.12");
            assertThat(row[header.indexOf("gpu_hours")]).isEqualTo("376.000000"); // the spare: 8 x 47 h; the sampled server: none

            // The month's report sits next to the CSV, with the same figure in its rollup table.
            String html = Files.readString(out.resolve("costline-2026-10.html"));
            assertThat(html).contains("recsys-train").contains("$1,054.08").contains("data-chart=\"daily-cost\"");

            // The FOCUS dataset next to it: the recsys-train row, and its EffectiveCost total equals the CSV's TOTAL to the cent.
            String totalLine = csv.get(csv.size() - 1);
            String csvTotal = totalLine.split(",")[11];
            var focus = new com.fasterxml.jackson.dataformat.csv.CsvMapper().readerFor(java.util.Map.class)
                    .with(com.fasterxml.jackson.dataformat.csv.CsvSchema.emptySchema().withHeader())
                    .<java.util.Map<String, String>>readValues(out.resolve("costline-2026-10.focus.csv").toFile()).readAll();
            java.math.BigDecimal focusTotal = focus.stream().map(r -> new java.math.BigDecimal(r.get("EffectiveCost")))
                    .reduce(java.math.BigDecimal.ZERO, java.math.BigDecimal::add);
            assertThat(focusTotal.setScale(2, java.math.RoundingMode.HALF_EVEN).toPlainString()).isEqualTo(csvTotal);
            assertThat(focus).anyMatch(r -> r.get("Tags").contains("\"workload\":\"recsys-train\"")
                    && r.get("BilledCost").equals("1054.080000") && r.get("ProviderName").equals("AWS"));
            // and the audit, which folds the inventory too, agrees with every source
            assertThat(quickstart.auditDifferences()).isZero();
            assertThat(screen.toString()).contains("inventory: 16 owned GPUs").containsPattern("audit: .* differences 0");
        }
    }

    private static costline.events.PriceEntry h100() {
        return costline.streams.prices.PriceCatalog.readDefault().stream()
                .filter(p -> p.getPriceKey().equals(costline.streams.prices.PriceKeys.onPrem("NVIDIA H100 80GB HBM3")))
                .findFirst().orElseThrow();
    }
}
