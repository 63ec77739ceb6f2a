package costline.streams.focus;

import static costline.streams.finance.FinanceFixtures.A100;
import static costline.streams.finance.FinanceFixtures.cost;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import costline.events.CostRecord;
import costline.events.MonthlyRollup;
import costline.events.RollupStatus;
import costline.events.Site;
import costline.schemas.Topics;
import costline.schemas.serde.AvroSerde;
import costline.streams.finance.FinanceFixtures;
import costline.streams.rollup.MonthlyRollupTopology;
import costline.streams.rollup.RollupConfig;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The FOCUS export of rollups made by the real rollup topology: every rule of ../shared/FOCUS.md that applies, the
 * total against the rollup total to the micro-dollar, a leap month, corrections after FINAL, a hostile name.
 */
class FocusExportTest {

    static final String H100 = "NVIDIA H100 80GB HBM3";
    static final String HOSTILE = "=cmd|' /C calc'!A0,\"x\"\nnext";
    final String registry = "mock://focus-" + UUID.randomUUID();
    TopologyTestDriver driver;
    TestInputTopic<String, CostRecord> in;
    TestOutputTopic<String, MonthlyRollup> out;
    final FocusExport export = new FocusExport(FocusSettings.defaults(),
            CloudPlacements.of(List.of(FinanceFixtures.cloudP4d())));

    void start(RollupConfig config) {
        driver = new TopologyTestDriver(MonthlyRollupTopology.build(config), FinanceFixtures.driverProps("focus-test"),
                Instant.parse("2026-01-01T00:00:00Z"));
        in = driver.createInputTopic(Topics.GPU_COST, Serdes.String().serializer(),
                AvroSerde.forValues(registry, CostRecord.class).serializer());
        out = driver.createOutputTopic(Topics.GPU_ROLLUP_MONTHLY, Serdes.String().deserializer(),
                AvroSerde.forValues(registry, MonthlyRollup.class).deserializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    void send(CostRecord r, Instant at) {
        in.pipeInput(r.getWorkload(), r, at);
    }

    /**
     * February 2028 (a leap month: 29 days, 696 hours). Hand-worked figures:
     * - train, on-prem H100, 8 GPUs all month at $2.50/GPU-h: 8 x 696 = 5,568 GPU-h, $13,920.00, 75 % busy;
     * - the hostile workload, cloud A100 (p4d: $21.96/h / 8 = $2.745/GPU-h), 3 x 8 GPU-h = 24 GPU-h: $65.88;
     * - after FINAL (Mar 1 + 6 h grace): train gets 8 GPU-h more ($20.00, correction 1) and 2 GPU-h more ($5.00,
     *   correction 2): one Correction row of +$25.00 (10 GPU-h), the invoiced row unchanged;
     * - late-job, first seen after the close, 1 GPU-h at $2.745: a Correction row of its whole $2.745.
     * Rollup total (latest record per key): 13,945 + 65.88 + 2.745 = $14,013.625; the FOCUS total must be the same.
     */
    @Test
    void aLeapMonthWithCorrectionsAfterFinalFollowsEveryRuleAndMatchesTheRollupTotal() throws Exception {
        start(RollupConfig.defaults(registry).withWallClockClose(false));
        Instant feb1 = Instant.parse("2028-02-01T00:00:00Z");
        for (int day = 0; day < 29; day++) {
            Instant d = feb1.plus(Duration.ofDays(day));
            // 8 GPUs x 24 h = 691,200,000 GPU-ms; $2.50 x 192 GPU-h = $480; a quarter idle
            send(cost("train", "ml", Site.ONPREM, H100, d, 691_200_000L, 518_400_000L, 480_000_000L, 120_000_000L,
                    3_600_000_000L), d.plusSeconds(60));
        }
        for (int h = 0; h < 3; h++) {
            Instant t = Instant.parse("2028-02-10T00:00:00Z").plus(Duration.ofHours(h));
            send(cost(HOSTILE, null, Site.CLOUD, A100, t, 28_800_000L, 28_800_000L, 21_960_000L, 0, 0), t.plusSeconds(60));
        }
        // stream time passes Mar 1 06:00 (end + grace): FINAL for both keys
        send(cost("other", null, Site.CLOUD, A100, Instant.parse("2028-03-01T07:00:00Z"), 60_000, 0, 45_750, 45_750, 0),
                Instant.parse("2028-03-01T07:00:00Z"));
        send(cost("train", "ml", Site.ONPREM, H100, Instant.parse("2028-02-29T12:00:00Z"), 28_800_000L, 28_800_000L,
                20_000_000L, 0, 0), Instant.parse("2028-03-02T00:00:00Z"));
        send(cost("train", "ml", Site.ONPREM, H100, Instant.parse("2028-02-29T13:00:00Z"), 7_200_000L, 7_200_000L,
                5_000_000L, 0, 0), Instant.parse("2028-03-02T01:00:00Z"));
        send(cost("late-job", "ops", Site.CLOUD, A100, Instant.parse("2028-02-29T20:00:00Z"), 3_600_000L, 3_600_000L,
                2_745_000L, 0, 0), Instant.parse("2028-03-02T02:00:00Z"));
        List<MonthlyRollup> history = out.readValuesToList();
        assertThat(history).extracting(MonthlyRollup::getStatus).contains(RollupStatus.FINAL, RollupStatus.CORRECTION);

        FocusExport.Result result = export.export(YearMonth.of(2028, 2), history);
        assertThat(result.rollupMicroUsd()).isEqualTo(14_013_625_000L);
        assertThat(result.effectiveMicroUsd()).isEqualTo(result.rollupMicroUsd());
        assertThat(result.corrections()).isEqualTo(2);
        assertThat(result.openRows()).isZero();

        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        FocusCsv.write(result, gz, true);
        FocusRules.Dataset d = FocusRules.read(new InputStreamReader(
                new GZIPInputStream(new java.io.ByteArrayInputStream(gz.toByteArray())), StandardCharsets.UTF_8));
        assertThat(FocusRules.check(d)).isEmpty();
        assertThat(d.header()).containsSubsequence(FocusColumns.FOCUS.get(0), "Tags", "x_Site");

        // the totals, read back from the file: EffectiveCost and BilledCost add up to the rollup total exactly
        assertThat(sum(d, "EffectiveCost")).isEqualByComparingTo("14013.625");
        assertThat(sum(d, "BilledCost")).isEqualByComparingTo("14013.625");
        assertThat(d.rows()).hasSize(4);

        Map<String, String> train = only(d, "train", null);
        assertThat(train).containsEntry("BillingPeriodStart", "2028-02-01T00:00:00Z")
                .containsEntry("BillingPeriodEnd", "2028-03-01T00:00:00Z")
                .containsEntry("ChargePeriodStart", "2028-02-01T00:00:00Z")
                .containsEntry("ChargePeriodEnd", "2028-03-01T00:00:00Z")
                .containsEntry("ConsumedQuantity", "5568.000000000")
                .containsEntry("ConsumedUnit", "GPU-Hours")
                .containsEntry("ListUnitPrice", "2.500000000")
                .containsEntry("BilledCost", "13920.000000")
                .containsEntry("ProviderName", "Owned GPUs")
                .containsEntry("InvoiceIssuerName", "Owned GPUs")
                .containsEntry("ServiceName", "GPU Compute")
                .containsEntry("RegionId", null)
                .containsEntry("Tags", "{\"team\":\"ml\",\"workload\":\"train\"}")
                .containsEntry("x_BusyGpuHours", "4176.000000000")
                .containsEntry("x_IdleGpuHours", "1392.000000000")
                .containsEntry("x_IdleCost", "3480.000000")
                .containsEntry("x_AverageUtilization", "75.0000")
                .containsEntry("x_EnergyKwh", "29.000000000")
                .containsEntry("x_RollupStatus", "FINAL");
        Map<String, String> trainFix = only(d, "train", "Correction");
        assertThat(trainFix).containsEntry("BilledCost", "25.000000").containsEntry("EffectiveCost", "25.000000")
                .containsEntry("ListCost", "25.000000").containsEntry("ConsumedQuantity", null)
                .containsEntry("PricingQuantity", null).containsEntry("PricingUnit", null)
                .containsEntry("x_BusyGpuHours", "10.000000000").containsEntry("x_RollupRevision", "2")
                .containsEntry("BillingPeriodStart", "2028-02-01T00:00:00Z");
        Map<String, String> late = only(d, "late-job", "Correction");
        assertThat(late).containsEntry("EffectiveCost", "2.745000").containsEntry("x_RollupRevision", "1");

        // the hostile name: whole in Tags (JSON inside a quoted CSV cell), neutralised where it is a text cell
        Map<String, String> hostile = only(d, HOSTILE, null);
        assertThat(hostile).containsEntry("ProviderName", "AWS").containsEntry("RegionId", "us-east-1")
                .containsEntry("ServiceName", "Amazon Elastic Compute Cloud").containsEntry("BilledCost", "65.880000")
                .containsEntry("ListUnitPrice", "2.745000000").containsEntry("x_Workload", "'" + HOSTILE);
        assertThat(d.rows()).allSatisfy(r -> r.forEach((c, v) -> {
            if (v != null && !FocusRules.DECIMAL.contains(c) && !c.startsWith("x_Busy") && !c.startsWith("x_Idle")
                    && !c.startsWith("x_Energy") && !c.equals("x_AverageUtilization") && !c.equals("x_RollupRevision")) {
                assertThat(v).as(c).doesNotStartWith("=").doesNotStartWith("+").doesNotStartWith("-").doesNotStartWith("@");
            }
        }));
    }

    @Test
    void aMonthInAnotherZoneHasItsEdgesInUtcAndAnOpenMonthIsFlagged() throws Exception {
        start(RollupConfig.defaults(registry).withZone(ZoneId.of("Europe/Berlin")).withWallClockClose(false));
        // 2026-10-01 00:30 in Berlin (UTC+2) is still September 30 in UTC; October in Berlin ends 2026-10-31T23:00Z
        send(cost("train", "ml", Site.CLOUD, A100, Instant.parse("2026-09-30T22:30:00Z"), 3_600_000L, 1_800_000L,
                2_745_000L, 1_372_500L, 0), Instant.parse("2026-09-30T22:31:00Z"));
        driver.advanceWallClockTime(Duration.ofMillis(500)); // the rollup's emit interval: the month-to-date goes out
        FocusExport.Result result = export.export(YearMonth.of(2026, 10), out.readValuesToList());
        assertThat(result.openRows()).isEqualTo(1);
        StringWriter csv = new StringWriter();
        FocusCsv.write(result, csv);
        FocusRules.Dataset d = FocusRules.read(new StringReader(csv.toString()));
        assertThat(FocusRules.check(d)).isEmpty();
        assertThat(d.rows().get(0)).containsEntry("BillingPeriodStart", "2026-09-30T22:00:00Z")
                .containsEntry("BillingPeriodEnd", "2026-10-31T23:00:00Z")
                .containsEntry("x_RollupStatus", "MONTH_TO_DATE").containsEntry("x_RollupZone", "Europe/Berlin")
                .containsEntry("x_AverageUtilization", "50.0000");
    }

    @Test
    void theRuleCheckCatchesABrokenFile() throws Exception {
        start(RollupConfig.defaults(registry));
        send(cost("train", "ml", Site.CLOUD, A100, Instant.parse("2026-10-01T00:00:00Z"), 3_600_000L, 1_800_000L,
                2_745_000L, 1_372_500L, 0), Instant.parse("2026-10-01T00:01:00Z"));
        driver.advanceWallClockTime(Duration.ofMillis(500)); // the rollup's emit interval
        StringWriter csv = new StringWriter();
        FocusCsv.write(export.export(YearMonth.of(2026, 10), out.readValuesToList()), csv);
        FocusRules.Dataset good = FocusRules.read(new StringReader(csv.toString()));
        assertThat(FocusRules.check(good)).isEmpty();
        List<Map<String, String>> rows = new ArrayList<>();
        Map<String, String> bad = new LinkedHashMap<>(good.rows().get(0));
        bad.put("ListCost", "2.746");
        bad.put("ChargePeriodEnd", "2026-11-01 00:00:00");
        bad.put("PricingUnit", null);
        bad.put("Tags", "{\"a\":1,\"a\":2}");
        rows.add(bad);
        assertThat(FocusRules.check(new FocusRules.Dataset(good.header(), rows))).hasSize(4);
    }

    static BigDecimal sum(FocusRules.Dataset d, String column) {
        return d.rows().stream().map(r -> new BigDecimal(r.get(column))).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    static Map<String, String> only(FocusRules.Dataset d, String workload, String chargeClass) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<Map<String, String>> found = new ArrayList<>();
        for (Map<String, String> r : d.rows()) {
            if (json.readTree(r.get("Tags")).path("workload").asText().equals(workload)
                    && java.util.Objects.equals(r.get("ChargeClass"), chargeClass)) {
                found.add(r);
            }
        }
        assertThat(found).hasSize(1);
        return found.get(0);
    }
}
