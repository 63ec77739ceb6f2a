package costline.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import costline.dashboards.DashboardQueries.PanelQuery;
import costline.dashboards.fixture.FleetFixture;
import costline.dashboards.grafana.Intervals;
import costline.dashboards.grafana.TemplateVariable;
import costline.dashboards.influxql.QueryResult;
import costline.events.CostRecord;
import costline.events.Site;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The figures the panels show are the figures the events carry: sums, overwrites, silences and nulls. */
class DashboardValuesTest {

    private static LoadedInflux influx;

    @BeforeAll
    static void start() throws Exception {
        influx = LoadedInflux.get();
    }

    private static DashboardQueries dashboard(String uid) {
        return DashboardQueriesTest.dashboards().stream().filter(d -> d.uid().equals(uid)).findFirst().orElseThrow();
    }

    private static QueryResult run(String uid, String panel, String refId) throws Exception {
        DashboardQueries d = dashboard(uid);
        Map<String, TemplateVariable> all = d.resolveVariables(influx);
        PanelQuery q = d.panels().stream().filter(p -> p.panel().equals(panel) && p.refId().equals(refId))
                .findFirst().orElseThrow(() -> new AssertionError("no panel " + panel));
        return influx.query(q.interpolated(all));
    }

    @Test
    void costPerWorkloadIsTheExactSumOfEveryRevisionOfItsCostRecords() throws Exception {
        QueryResult r = run("costline-cost", "Cost per workload in range", "A");
        Map<String, Double> byWorkload = new HashMap<>();
        for (QueryResult.Series s : r.series()) {
            byWorkload.merge(s.tags().get("workload"), s.number(0, "cost_usd"), Double::sum);
        }
        assertThat(byWorkload).containsOnlyKeys("llm-pretrain", "llm-finetune", "batch-infer", "unallocated");
        for (Map.Entry<String, Double> e : byWorkload.entrySet()) {
            long micro = influx.fixture.costMicroUsd(e.getKey());
            assertThat(micro).isPositive();
            // Dollars are doubles of exact micro-USD; over ~500 points the sum stays within a micro-dollar.
            assertThat(e.getValue()).as(e.getKey()).isCloseTo(micro / 1e6, within(1e-6));
        }
        // Hand-computed: 2 cloud GPUs x 120 one-minute samples at $21.96/h for 8 GPUs = 240 x $0.04575 = $10.98.
        assertThat(byWorkload.get("llm-finetune")).isCloseTo(10.98, within(1e-9));
        // The late minute's increment (revision 1) lands as its own point and is counted, not overwritten.
        long late = influx.fixture.costs.stream()
                .filter(c -> c.getWorkload().equals("llm-pretrain") && c.getRevision() > 0)
                .mapToLong(CostRecord::getCostMicroUsd).sum();
        assertThat(late).isPositive();
        long withoutRevisions = influx.fixture.costMicroUsd("llm-pretrain") - late;
        assertThat(byWorkload.get("llm-pretrain")).isCloseTo((withoutRevisions + late) / 1e6, within(1e-6))
                .isGreaterThan((withoutRevisions + late / 2) / 1e6);
    }

    @Test
    void aWorkloadBelowTheMinimumHistoryShowsInsufficientHistoryWithItsDays() throws Exception {
        QueryResult r = run("costline-decisions", "Break-even recommendations", "A");
        QueryResult.Series row = r.series().stream().filter(s -> FleetFixture.NEW_WORKLOAD.equals(s.tags().get("workload")))
                .findFirst().orElseThrow(() -> new AssertionError("no break-even row for " + FleetFixture.NEW_WORKLOAD));
        assertThat(row.tags()).containsEntry("recommendation", "INSUFFICIENT_HISTORY");
        assertThat(row.number(0, "history_days")).isEqualTo(2.0);
        // the workloads with enough history keep their advice
        assertThat(r.series()).anySatisfy(s -> assertThat(s.tags()).containsEntry("recommendation", "HYBRID"));
    }

    @Test
    void theSilentCollectorShowsZeroSamplesAndTheOthersDoNot() throws Exception {
        QueryResult r = run("costline-fleet", "Collectors: samples in the last 5 minutes (0 = silent)", "A");
        Map<String, Double> byHost = new HashMap<>();
        r.series().forEach(s -> byHost.put(s.tags().get("host"), s.number(0, "samples_last_5m")));
        assertThat(byHost.get(FleetFixture.SILENT_HOST)).isZero();
        assertThat(byHost.get("dgx-a-01")).isPositive();
        assertThat(byHost.get("ip-10-0-3-17")).isPositive();
    }

    @Test
    void aRollupCorrectionReplacesTheMonthsFigureInsteadOfAddingARow() throws Exception {
        QueryResult r = run("costline-finance", "Monthly rollup per team and workload", "A");
        assertThat(r.series()).hasSize(9);
        QueryResult.Series oct = r.series().stream()
                .filter(s -> s.tags().get("month").equals("2026-10") && s.tags().get("workload").equals("llm-pretrain"))
                .findFirst().orElseThrow();
        assertThat(oct.number(0, "cost_usd")).isEqualTo(21761.75);
        assertThat(oct.number(0, "gpu_hours")).isEqualTo(1420.0);
        // Unallocated time has no team: the row is there with an empty team tag, not dropped.
        assertThat(r.series()).anyMatch(s -> s.tags().get("workload").equals("unallocated") && s.tags().get("team").isEmpty());
    }

    /**
     * October's reconciliation: billed 16,338.24 + 3,088.00 = $19,426.24, estimated 16,338.24 + 4,392.00 = $20,730.24;
     * the Savings-Plan instance shows its cause and +42.22 %.
     */
    @Test
    void theFinancePanelShowsBilledAgainstEstimatedAndTheCauses() throws Exception {
        QueryResult month = run("costline-finance", "Billed vs estimated per month (EC2 GPU instances)", "A");
        QueryResult.Series oct = month.series().stream().filter(s -> s.tags().get("month").equals("2026-10")).findFirst().orElseThrow();
        assertThat(oct.number(0, "billed_usd")).isCloseTo(19426.24, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(oct.number(0, "estimated_usd")).isCloseTo(20730.24, org.assertj.core.data.Offset.offset(1e-6));
        QueryResult per = run("costline-finance", "Bill differences per instance", "A");
        QueryResult.Series sp = per.series().stream().filter(s -> s.tags().get("instance_id").equals("i-0c00000000000003"))
                .findFirst().orElseThrow();
        assertThat(sp.number(0, "difference_usd")).isEqualTo(1304.0);
        assertThat(sp.number(0, "difference_pct")).isEqualTo(42.22);
        assertThat(sp.values().get(0).get(sp.columns().indexOf("causes"))).isEqualTo("DISCOUNT_NOT_IN_CATALOG");
        assertThat(String.valueOf(sp.values().get(0).get(sp.columns().indexOf("alert")))).isEqualTo("true");
    }

    /** The Cost dashboard tells where each rate came from: p4d's catalog $32.77 / 8 and the Price List's $21.96 / 8. */
    @Test
    void theCostDashboardShowsEachPriceKeysSources() throws Exception {
        QueryResult r = run("costline-cost", "Price sources: versions per price key", "A");
        Map<String, Double> bySource = new HashMap<>();
        r.series().stream().filter(s -> s.tags().get("price_key").equals("aws:us-east-1:p4d.24xlarge"))
                .forEach(s -> bySource.put(s.tags().get("source"), s.number(0, "usd_per_gpu_hour")));
        assertThat(bySource).containsOnly(Map.entry("catalog", 4.09625), Map.entry("price-list", 2.745));
        assertThat(r.series()).anyMatch(s -> s.tags().get("source").equals("spot") && s.tags().get("pricing_model").equals("SPOT")
                && s.number(0, "usd_per_gpu_hour") == 1.2);
    }

    @Test
    void breakEvenNeverShowsNullMonthsAsZero() throws Exception {
        QueryResult r = run("costline-decisions", "Break-even recommendations", "A");
        QueryResult.Series stay = r.series().stream().filter(s -> s.tags().get("recommendation").equals("STAY_CLOUD"))
                .findFirst().orElseThrow();
        assertThat(stay.number(0, "break_even_months")).isNull();
        QueryResult.Series hybrid = r.series().stream().filter(s -> s.tags().get("recommendation").equals("HYBRID"))
                .findFirst().orElseThrow();
        assertThat(hybrid.number(0, "break_even_months")).isEqualTo(7.4);
        assertThat(hybrid.number(0, "optimal_owned_gpus")).isEqualTo(4.0);
    }

    @Test
    void cloudMonthToDateEndsAtTheCloudCostOfTheMonth() throws Exception {
        QueryResult r = run("costline-decisions", "Cloud month-to-date vs the on-prem line", "A");
        assertThat(r.series()).hasSize(1);
        QueryResult.Series s = r.series().get(0);
        assertThat(s.tags()).containsEntry("workload", FleetFixture.OVER_LINE_WORKLOAD);
        long cloudMicro = influx.fixture.costs.stream().filter(c -> c.getSite() == Site.CLOUD)
                .mapToLong(CostRecord::getCostMicroUsd).sum();
        assertThat(s.number(s.values().size() - 1, "cloud_cost_usd")).isCloseTo(cloudMicro / 1e6, within(1e-6));
    }

    @Test
    void annotationTextAndTagColumnsExistInTheAnnotationResult() throws Exception {
        JsonNode decisions = Provisioning.dashboards().get("decisions.json");
        DashboardQueries d = dashboard("costline-decisions");
        for (JsonNode a : decisions.path("annotations").path("list")) {
            PanelQuery q = d.annotations().stream().filter(p -> p.panel().equals("annotation: " + a.path("name").asText()))
                    .findFirst().orElseThrow();
            QueryResult r = influx.query(q.interpolated(d.resolveVariables(influx)));
            assertThat(r.series().get(0).columns()).contains(a.path("textColumn").asText())
                    .containsAll(Arrays.asList(a.path("tagsColumn").asText().split(",")));
        }
    }

    @Test
    void costPanelsAskForNoFinerStepThanAMinuteTheCostRecordsAreMadeOf() {
        for (PanelQuery q : dashboard("costline-cost").panels()) {
            if (q.rawQuery().contains("$__interval")) {
                assertThat(q.interval()).as(q.panel()).isGreaterThanOrEqualTo(Intervals.parse("1m"));
            }
        }
    }
}
