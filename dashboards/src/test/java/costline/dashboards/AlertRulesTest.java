package costline.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import costline.dashboards.fixture.FleetFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each provisioned alert rule, expanded as Grafana expands it and with its macros substituted, runs on the real
 * InfluxQL engine holding the sink's points, and fires for exactly the instances the fixture makes true.
 */
class AlertRulesTest {

    private static AlertEvaluator evaluator;

    @BeforeAll
    static void start() throws Exception {
        evaluator = new AlertEvaluator(LoadedInflux.get());
    }

    private static JsonNode rule(String title) {
        return Provisioning.alertRules(Provisioning.envExample()).stream()
                .filter(r -> r.path("title").asText().equals(title)).findFirst().orElseThrow();
    }

    @Test
    void cloudOverTheLineFiresForTheWorkloadWhoseLatestTransitionIsFiring() throws Exception {
        AlertEvaluator.Outcome now = evaluator.evaluate(rule("Cloud spend crossed the on-prem line"), FleetFixture.NOW);
        assertThat(now.firing()).containsExactly(Map.of("workload", FleetFixture.OVER_LINE_WORKLOAD));
        // render's month ended over the line (RESOLVED with figures above it), batch-infer fell back below.
        assertThat(now.instances()).containsEntry(Map.of("workload", "render"), false)
                .containsEntry(Map.of("workload", "batch-infer"), false)
                .containsEntry(Map.of("workload", "*fleet*"), false);

        AlertEvaluator.Outcome earlier = evaluator.evaluate(rule("Cloud spend crossed the on-prem line"),
                FleetFixture.NOW.minus(Duration.ofHours(3)));
        assertThat(earlier.firing()).containsExactly(Map.of("workload", "batch-infer"));
    }

    @Test
    void highSeverityDriftFiresForRecentCriticalSignalsOnly() throws Exception {
        AlertEvaluator.Outcome o = evaluator.evaluate(rule("High-severity drift"), FleetFixture.NOW);
        assertThat(o.firing()).containsExactly(Map.of("entity", FleetFixture.CRITICAL_DRIFT_ENTITY, "metric", "UTILIZATION"));
        // 45 minutes later the signal is out of the 15-minute window: nothing to report, and no-data is OK here.
        AlertEvaluator.Outcome later = evaluator.evaluate(rule("High-severity drift"), FleetFixture.NOW.plus(Duration.ofMinutes(45)));
        assertThat(later.firing()).isEmpty();
        assertThat(rule("High-severity drift").path("noDataState").asText()).isEqualTo("OK");
    }

    @Test
    void collectorSilentFiresForTheHostThatStoppedSending() throws Exception {
        AlertEvaluator.Outcome o = evaluator.evaluate(rule("Collector silent for 5 minutes"), FleetFixture.NOW);
        assertThat(o.firing()).containsExactly(Map.of("host", FleetFixture.SILENT_HOST, "source", "NVML"));
        assertThat(o.instances()).containsEntry(Map.of("host", "dgx-a-01", "source", "NVML"), false)
                .containsEntry(Map.of("host", "ip-10-0-3-17", "source", "CLOUDWATCH"), false);

        // Three minutes after dgx-a-02's last sample it is not yet silent for 5 minutes.
        Instant justStopped = FleetFixture.NOW.minus(Duration.ofMinutes(17));
        assertThat(evaluator.evaluate(rule("Collector silent for 5 minutes"), justStopped).firing()).isEmpty();
        // Seven minutes after, it is.
        Instant sevenAfter = FleetFixture.NOW.minus(Duration.ofMinutes(13));
        assertThat(evaluator.evaluate(rule("Collector silent for 5 minutes"), sevenAfter).firing())
                .containsExactly(Map.of("host", FleetFixture.SILENT_HOST, "source", "NVML"));
    }

    @Test
    void everyRuleQueryReturnsRows() throws Exception {
        List<String> table = new java.util.ArrayList<>(List.of(
                "Alert rule queries at " + FleetFixture.NOW + " on InfluxDB 1.6.7 (same points as the dashboards).", "",
                "| rule | query | series | rows | firing instances |", "|---|---|---|---|---|"));
        for (JsonNode r : Provisioning.alertRules(Provisioning.envExample())) {
            AlertEvaluator.Outcome o = evaluator.evaluate(r, FleetFixture.NOW);
            for (AlertEvaluator.Shape s : o.shapes()) {
                table.add("| " + r.path("title").asText() + " | " + s.refId() + " | " + s.series() + " | " + s.rows()
                        + " | " + o.firing() + " |");
                assertThat(s.rows()).as(r.path("title").asText() + " " + s.refId()).isPositive();
            }
            assertThat(o.noData()).as(r.path("title").asText()).isFalse();
            assertThat(o.instances()).as(r.path("title").asText()).isNotEmpty();
            assertThat(o.queries()).allSatisfy(q -> assertThat(q).doesNotContain("$"));
        }
        assertThat(List.of(rule("Collector silent for 5 minutes").path("noDataState").asText())).containsExactly("Alerting");
        java.nio.file.Path out = Provisioning.MODULE.resolve("target/alert-rows.md");
        java.nio.file.Files.createDirectories(out.getParent());
        java.nio.file.Files.write(out, table);
    }
}
