package costline.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import costline.dashboards.DashboardQueries.PanelQuery;
import costline.dashboards.fixture.FleetFixture;
import costline.dashboards.grafana.Intervals;
import costline.dashboards.grafana.TemplateVariable;
import costline.dashboards.influxql.QueryResult;
import costline.dashboards.schema.SchemaCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every panel, variable and annotation query of every dashboard, interpolated as Grafana does at
 * {@link FleetFixture#NOW}, runs on a real InfluxQL engine holding the sink's points, names only what the sink
 * writes, and returns rows with the expected columns and group-by tags.
 */
class DashboardQueriesTest {

    /** dashboard uid / panel title / refId -> the columns, then the series' tag keys. */
    static final Map<String, List<List<String>>> EXPECTED = new LinkedHashMap<>();

    private static void expect(String key, List<String> columns, List<String> tags) {
        EXPECTED.put(key, List.of(columns, tags));
    }

    static {
        List<String> hostGpu = List.of("gpu_id", "host");
        expect("costline-fleet/Fleet mean GPU utilization/A", List.of("time", "util_gpu"), List.of());
        expect("costline-fleet/Fleet power now/A", List.of("time", "power_w"), List.of());
        expect("costline-fleet/GPUs reporting/A", List.of("time", "gpus"), List.of());
        expect("costline-fleet/Hottest GPU/A", List.of("time", "temp_c"), List.of());
        expect("costline-fleet/GPU utilization by host and GPU/A", List.of("time", "mean"), hostGpu);
        expect("costline-fleet/Memory controller utilization/A", List.of("time", "mean"), hostGpu);
        expect("costline-fleet/Device memory used/A", List.of("time", "max"), hostGpu);
        expect("costline-fleet/Power draw/A", List.of("time", "mean"), hostGpu);
        expect("costline-fleet/Temperature/A", List.of("time", "max"), hostGpu);
        expect("costline-fleet/SM clock/A", List.of("time", "mean"), hostGpu);
        expect("costline-fleet/Collectors: samples in the last 5 minutes (0 = silent)/A",
                List.of("time", "samples_last_5m"), List.of("host", "source"));

        expect("costline-cost/Cost in range/A", List.of("time", "cost_usd"), List.of());
        expect("costline-cost/Idle cost in range/A", List.of("time", "idle_usd"), List.of());
        expect("costline-cost/Idle share/A", List.of("time", "idle_share"), List.of());
        expect("costline-cost/Unallocated cost in range/A", List.of("time", "cost_usd"), List.of());
        expect("costline-cost/Live cost rate per workload ($/h)/A", List.of("time", "usd_per_hour"), List.of("workload"));
        expect("costline-cost/Cloud vs on-prem cost/A", List.of("time", "cost_usd"), List.of("site"));
        expect("costline-cost/Idle cost per workload/A", List.of("time", "idle_usd"), List.of("workload"));
        expect("costline-cost/Cost per workload in range/A",
                List.of("time", "cost_usd", "idle_usd", "gpu_hours", "busy_gpu_hours", "energy_kwh"),
                List.of("gpu_model", "site", "team", "workload"));

        expect("costline-cost/Price sources: versions per price key/A", List.of("time", "usd_per_gpu_hour"),
                List.of("price_key", "pricing_model", "source"));
        expect("costline-finance/Billed vs estimated per month (EC2 GPU instances)/A",
                List.of("time", "billed_usd", "estimated_usd"), List.of("month"));
        expect("costline-finance/Bill differences per instance/A",
                List.of("time", "billed_usd", "estimated_usd", "difference_usd", "difference_pct", "causes", "alert"),
                List.of("instance_id", "instance_type", "month"));
        expect("costline-finance/Monthly cost by site/A", List.of("time", "cost_usd"), List.of("month", "site"));
        expect("costline-finance/Monthly idle share/A", List.of("time", "idle_share"), List.of("month"));
        expect("costline-finance/Monthly GPU hours/A", List.of("time", "gpu_hours", "busy_gpu_hours"), List.of("month"));
        expect("costline-finance/Monthly energy (on-prem)/A", List.of("time", "energy_kwh"), List.of("month"));
        expect("costline-finance/Monthly rollup per team and workload/A",
                List.of("time", "cost_usd", "idle_usd", "gpu_hours", "busy_gpu_hours", "energy_kwh"),
                List.of("gpu_model", "month", "site", "team", "workload"));

        expect("costline-decisions/Cloud month-to-date vs the on-prem line/A", List.of("time", "cloud_cost_usd"), List.of("workload"));
        expect("costline-decisions/Cloud month-to-date vs the on-prem line/B", List.of("time", "cloud_mtd_usd"), List.of("workload"));
        expect("costline-decisions/Cloud month-to-date vs the on-prem line/C", List.of("time", "onprem_line_usd"), List.of("workload"));
        expect("costline-decisions/Spend alert transitions/A",
                List.of("time", "cloud_mtd_usd", "onprem_line_usd", "projected_cross_day", "workload", "state"), List.of());
        expect("costline-decisions/Break-even recommendations/A",
                List.of("time", "yearly_savings_usd", "optimal_owned_gpus", "break_even_months", "history_days"),
                List.of("recommendation", "workload"));
        expect("costline-decisions/Fleet: GPUs worth owning/A", List.of("time", "optimal_owned_gpus"), List.of());
        expect("costline-decisions/Fleet: yearly savings of the recommendation/A", List.of("time", "yearly_savings_usd"), List.of());
        expect("costline-decisions/Drift signals/A",
                List.of("time", "change_pct", "baseline", "current", "entity", "metric", "direction", "severity"), List.of());
        expect("costline-decisions/annotation: Drift/-",
                List.of("time", "change_pct", "entity", "metric", "direction", "severity"), List.of());
    }

    private static LoadedInflux influx;
    private static final List<String> TABLE = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        influx = LoadedInflux.get();
    }

    static List<DashboardQueries> dashboards() {
        Duration min = Intervals.parse(ProvisioningFilesTest.datasource().path("jsonData").path("timeInterval").asText());
        List<DashboardQueries> out = new ArrayList<>();
        for (JsonNode d : Provisioning.dashboards().values()) {
            out.add(new DashboardQueries(d, FleetFixture.NOW, min));
        }
        return out;
    }

    @Test
    void everyPanelAndAnnotationQueryReturnsRowsWithTheExpectedColumns() throws Exception {
        List<String> failures = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        TABLE.clear();
        for (DashboardQueries d : dashboards()) {
            Map<String, TemplateVariable> all = d.resolveVariables(influx);
            List<PanelQuery> queries = new ArrayList<>(d.panels());
            queries.addAll(d.annotations());
            for (PanelQuery q : queries) {
                String key = q.dashboard() + "/" + q.panel() + "/" + q.refId();
                seen.add(key);
                String sql = q.interpolated(all);
                List<String> schemaProblems = SchemaCheck.problems(sql);
                if (!schemaProblems.isEmpty()) {
                    failures.add(key + ": " + schemaProblems + "\n    " + sql);
                    continue;
                }
                QueryResult r;
                try {
                    r = influx.query(sql);
                } catch (RuntimeException e) {
                    failures.add(key + ": " + e.getMessage());
                    continue;
                }
                TABLE.add("| " + q.dashboard() + " | " + q.panel().replace("|", "\\|") + " | " + q.refId() + " | "
                        + r.series().size() + " | " + r.rows() + " | "
                        + (r.series().isEmpty() ? "" : String.join(", ", r.series().get(0).columns())) + " |");
                List<List<String>> expected = EXPECTED.get(key);
                if (expected == null) {
                    failures.add(key + ": no expected columns in the test for this query");
                } else if (r.rows() == 0) {
                    failures.add(key + ": no rows\n    " + sql);
                } else {
                    for (QueryResult.Series s : r.series()) {
                        if (!s.columns().equals(expected.get(0)) || !new TreeSet<>(s.tags().keySet()).equals(new TreeSet<>(expected.get(1)))) {
                            failures.add(key + ": columns " + s.columns() + " tags " + s.tags().keySet()
                                    + ", expected " + expected);
                            break;
                        }
                    }
                }
            }
        }
        Set<String> stale = new TreeSet<>(EXPECTED.keySet());
        stale.removeAll(seen);
        stale.forEach(k -> failures.add(k + ": expected by the test but no dashboard has this query"));
        assertThat(failures).as("dashboard queries").isEmpty();
    }

    @Test
    void variablesListTheValuesTheSinkWrote() throws Exception {
        Map<String, Map<String, TemplateVariable>> byDashboard = new LinkedHashMap<>();
        for (DashboardQueries d : dashboards()) {
            for (JsonNode v : d.variableDefinitions()) {
                assertThat(SchemaCheck.problems(v.path("query").asText().replaceAll("\\$(\\w+)", "x")))
                        .as(d.uid() + " variable " + v.path("name").asText()).isEmpty();
            }
            byDashboard.put(d.uid(), d.resolveVariables(influx));
        }
        assertThat(byDashboard.get("costline-fleet").get("site").values()).containsExactly("CLOUD", "ONPREM");
        assertThat(byDashboard.get("costline-fleet").get("host").values())
                .containsExactly("dgx-a-01", FleetFixture.SILENT_HOST, "ip-10-0-3-17");
        assertThat(byDashboard.get("costline-fleet").get("gpu_model").values())
                .containsExactly(FleetFixture.A100, FleetFixture.H100);
        assertThat(byDashboard.get("costline-cost").get("workload").values())
                .containsExactly("batch-infer", "llm-finetune", "llm-pretrain", "unallocated");
        assertThat(byDashboard.get("costline-decisions").get("workload").values())
                .contains("*fleet*", FleetFixture.OVER_LINE_WORKLOAD);
    }

    /** Selecting one value of every variable narrows the panels: no panel errs, and host-level panels keep rows. */
    @Test
    void panelsRunWithASingleSelectedValue() throws Exception {
        List<String> failures = new ArrayList<>();
        for (DashboardQueries d : dashboards()) {
            // A value with regex metacharacters ('*fleet*', 'p4d.24xlarge') shows the escaping works.
            Map<String, TemplateVariable> one = d.resolveVariables(influx, v -> {
                assertThat(v.values()).as(d.uid() + " $" + v.name() + " after the earlier selections").isNotEmpty();
                return v.select(v.values().stream().filter(x -> x.matches(".*[*.].*")).findFirst()
                        .orElse(v.values().get(0)));
            });
            for (PanelQuery q : d.panels()) {
                String sql = q.interpolated(one);
                try {
                    QueryResult r = influx.query(sql);
                    if (q.dashboard().equals("costline-fleet") && q.panel().contains("by host") && r.rows() == 0) {
                        failures.add(q.panel() + ": no rows for " + one);
                    }
                } catch (RuntimeException e) {
                    failures.add(q.dashboard() + "/" + q.panel() + ": " + e.getMessage());
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    @AfterAll
    static void writeTable() throws IOException {
        if (TABLE.isEmpty()) {
            return;
        }
        Path out = Provisioning.MODULE.resolve("target/panel-rows.md");
        Files.createDirectories(out.getParent());
        List<String> lines = new ArrayList<>();
        lines.add("Dashboard queries at " + FleetFixture.NOW + " (variables: All) on InfluxDB "
                + "1.6.7 loaded with " + influx.pointsWritten + " points from InfluxPoints.");
        lines.add("");
        lines.add("| dashboard | panel | query | series | rows | columns |");
        lines.add("|---|---|---|---|---|---|");
        lines.addAll(TABLE);
        Files.write(out, lines);
    }
}
