package costline.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import costline.dashboards.grafana.ProvisioningEnv;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The provisioning files parse, reference datasources that exist, give every panel a unit, and fit the compose file. */
class ProvisioningFilesTest {

    static final String DS_UID = "costline-influxdb";
    private final Map<String, String> env = Provisioning.envExample();

    static JsonNode datasource() {
        List<Path> files = Provisioning.yamlFiles("datasources");
        assertThat(files).hasSize(1);
        JsonNode list = Provisioning.yaml(files.get(0), Provisioning.envExample()).path("datasources");
        assertThat(list.size()).isEqualTo(1);
        return list.get(0);
    }

    static Set<String> datasourceUids() {
        Set<String> uids = new HashSet<>();
        for (Path f : Provisioning.yamlFiles("datasources")) {
            Provisioning.yamlRaw(f).path("datasources").forEach(d -> uids.add(d.path("uid").asText()));
        }
        return uids;
    }

    @Test
    void datasourceIsInfluxQlWithTheTokenFromTheEnvironment() {
        JsonNode raw = Provisioning.yamlRaw(Provisioning.yamlFiles("datasources").get(0)).path("datasources").get(0);
        assertThat(raw.path("uid").asText()).isEqualTo(DS_UID);
        assertThat(raw.path("type").asText()).isEqualTo("influxdb");
        assertThat(raw.path("jsonData").path("version").asText()).isEqualTo("InfluxQL");
        assertThat(raw.path("jsonData").path("httpHeaderName1").asText()).isEqualTo("Authorization");
        // The secret is never in the file, only a reference to the environment.
        assertThat(raw.path("secureJsonData").path("httpHeaderValue1").asText()).isEqualTo("Token ${INFLUX_TOKEN}");
        assertThat(raw.path("jsonData").path("dbName").asText()).isEqualTo("${INFLUX_BUCKET}");

        JsonNode ds = datasource();
        assertThat(ds.path("secureJsonData").path("httpHeaderValue1").asText()).isEqualTo("Token " + env.get("INFLUX_TOKEN"));
        assertThat(ds.path("jsonData").path("dbName").asText()).isEqualTo(env.get("INFLUX_BUCKET")).isNotBlank();
        assertThat(ds.path("url").asText()).startsWith("http");
    }

    @Test
    void everyEnvironmentVariableTheProvisioningUsesIsDocumentedAndPassedToGrafana() {
        Set<String> used = new TreeSet<>();
        for (String kind : List.of("datasources", "dashboards", "alerting")) {
            for (Path f : Provisioning.yamlFiles(kind)) {
                used.addAll(ProvisioningEnv.names(Provisioning.read(f)));
            }
        }
        assertThat(used).contains("INFLUX_TOKEN", "INFLUX_BUCKET", "INFLUX_URL", "COSTLINE_ALERT_WEBHOOK_URL");
        assertThat(env.keySet()).as(".env.example documents every variable").containsAll(used);
        JsonNode grafanaEnv = compose().path("services").path("grafana").path("environment");
        for (String name : used) {
            assertThat(grafanaEnv.has(name)).as("grafana service passes " + name).isTrue();
        }
    }

    @Test
    void dashboardsNameProvisionedDatasourcesAndEveryPanelHasAUnit() {
        Set<String> uids = datasourceUids();
        Set<String> dashboardUids = new HashSet<>();
        List<String> problems = new ArrayList<>();
        Map<String, JsonNode> dashboards = Provisioning.dashboards();
        assertThat(dashboards).containsOnlyKeys("cost.json", "decisions.json", "finance.json", "fleet.json");
        for (Map.Entry<String, JsonNode> e : dashboards.entrySet()) {
            JsonNode d = e.getValue();
            String name = e.getKey();
            if (!dashboardUids.add(d.path("uid").asText()) || d.path("uid").asText().isBlank()) {
                problems.add(name + ": missing or duplicate uid");
            }
            Set<Integer> ids = new HashSet<>();
            for (JsonNode p : d.path("panels")) {
                String where = name + " / " + p.path("title").asText();
                if (!ids.add(p.path("id").asInt())) {
                    problems.add(where + ": duplicate panel id");
                }
                if (!uids.contains(p.path("datasource").path("uid").asText())) {
                    problems.add(where + ": panel datasource uid " + p.path("datasource").path("uid") + " is not provisioned");
                }
                String unit = p.path("fieldConfig").path("defaults").path("unit").asText();
                if (unit.isBlank()) {
                    problems.add(where + ": no unit");
                }
                for (JsonNode o : p.path("fieldConfig").path("overrides")) {
                    o.path("properties").forEach(prop -> {
                        if (prop.path("id").asText().equals("unit") && prop.path("value").asText().isBlank()) {
                            problems.add(where + ": override without a unit");
                        }
                    });
                }
                if (p.path("targets").isEmpty()) {
                    problems.add(where + ": no query");
                }
                for (JsonNode t : p.path("targets")) {
                    if (!uids.contains(t.path("datasource").path("uid").asText())) {
                        problems.add(where + " " + t.path("refId") + ": datasource uid not provisioned");
                    }
                    if (!t.path("rawQuery").asBoolean() || t.path("query").asText().isBlank()) {
                        problems.add(where + " " + t.path("refId") + ": not a raw InfluxQL query");
                    }
                }
            }
            for (JsonNode v : d.path("templating").path("list")) {
                if (!uids.contains(v.path("datasource").path("uid").asText())) {
                    problems.add(name + " variable " + v.path("name") + ": datasource uid not provisioned");
                }
            }
            for (JsonNode a : d.path("annotations").path("list")) {
                if (!uids.contains(a.path("datasource").path("uid").asText())) {
                    problems.add(name + " annotation " + a.path("name") + ": datasource uid not provisioned");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void fleetHasTheSreVariablesAndDecisionsShowsDriftAsAnnotations() {
        Map<String, JsonNode> dashboards = Provisioning.dashboards();
        List<String> fleetVars = new ArrayList<>();
        dashboards.get("fleet.json").path("templating").path("list").forEach(v -> fleetVars.add(v.path("name").asText()));
        assertThat(fleetVars).containsExactlyInAnyOrder("site", "host", "gpu_model");
        JsonNode annotations = dashboards.get("decisions.json").path("annotations").path("list");
        assertThat(annotations.size()).isEqualTo(1);
        assertThat(annotations.get(0).path("query").asText()).contains("\"gpu_drift\"");
    }

    @Test
    void dashboardProviderPointsWhereComposeMountsTheDashboards() {
        JsonNode provider = Provisioning.yaml(Provisioning.yamlFiles("dashboards").get(0), env).path("providers").get(0);
        String path = provider.path("options").path("path").asText();
        List<String> volumes = new ArrayList<>();
        compose().path("services").path("grafana").path("volumes").forEach(v -> volumes.add(v.asText()));
        assertThat(volumes).contains("./dashboards/grafana/dashboards:" + path + ":ro",
                "./dashboards/grafana/provisioning:/etc/grafana/provisioning:ro");
    }

    @Test
    void alertRulesReferenceExistingDatasourcesAndRefIds() {
        Set<String> uids = datasourceUids();
        List<JsonNode> rules = Provisioning.alertRules(env);
        assertThat(rules).extracting(r -> r.path("title").asText()).containsExactlyInAnyOrder(
                "Cloud spend crossed the on-prem line", "High-severity drift", "Collector silent for 5 minutes");
        Set<String> ruleUids = new HashSet<>();
        for (JsonNode rule : rules) {
            String title = rule.path("title").asText();
            assertThat(ruleUids.add(rule.path("uid").asText())).as(title + " unique uid").isTrue();
            Set<String> refIds = new HashSet<>();
            rule.path("data").forEach(q -> refIds.add(q.path("refId").asText()));
            assertThat(refIds).as(title).contains(rule.path("condition").asText());
            for (JsonNode q : rule.path("data")) {
                String ds = q.path("datasourceUid").asText();
                if (ds.equals("__expr__")) {
                    assertThat(refIds).as(title + " expression input").contains(q.path("model").path("expression").asText());
                } else {
                    assertThat(uids).as(title + " datasource").contains(ds);
                    assertThat(q.path("relativeTimeRange").path("from").asLong()).as(title).isPositive();
                }
            }
            // $$labels survives Grafana's expansion as $labels: the notification text keeps its templates.
            assertThat(rule.path("annotations").path("summary").asText()).as(title).contains("{{ $labels.");
        }
    }

    @Test
    void contactPointComesFromTheEnvironmentAndThePolicyRoutesToIt() {
        JsonNode raw = Provisioning.yamlRaw(Provisioning.PROVISIONING.resolve("alerting/costline-notifications.yaml"));
        JsonNode receiver = raw.path("contactPoints").get(0).path("receivers").get(0);
        assertThat(receiver.path("settings").path("url").asText()).isEqualTo("${COSTLINE_ALERT_WEBHOOK_URL}");
        JsonNode expanded = Provisioning.yaml(Provisioning.PROVISIONING.resolve("alerting/costline-notifications.yaml"), env);
        assertThat(expanded.path("contactPoints").get(0).path("receivers").get(0).path("settings").path("url").asText())
                .isEqualTo(env.get("COSTLINE_ALERT_WEBHOOK_URL")).startsWith("http");
        assertThat(raw.path("policies").get(0).path("receiver").asText())
                .isEqualTo(raw.path("contactPoints").get(0).path("name").asText());
    }

    static JsonNode compose() {
        return Provisioning.yamlRaw(Provisioning.ROOT.resolve("docker-compose.yml"));
    }
}
