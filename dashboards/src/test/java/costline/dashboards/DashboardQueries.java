package costline.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import costline.dashboards.grafana.DateMath;
import costline.dashboards.grafana.Intervals;
import costline.dashboards.grafana.QueryInterpolator;
import costline.dashboards.grafana.TemplateVariable;
import costline.dashboards.influxql.QueryResult;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The queries of one dashboard as Grafana would send them at a given instant: panels, variables, annotations. */
public final class DashboardQueries {

    /** Grafana derives max data points from the panel's width in pixels; a typical half-width panel is ~1000. */
    static final int DEFAULT_MAX_DATA_POINTS = 1000;

    public record PanelQuery(String dashboard, String panel, String panelType, String refId, String rawQuery,
                             String resultFormat, Instant from, Instant to, Duration interval) {

        public String interpolated(Map<String, TemplateVariable> variables) {
            return QueryInterpolator.interpolate(rawQuery, from, to, interval, variables);
        }
    }

    private final JsonNode dashboard;
    private final Instant now;
    private final Duration datasourceMinInterval;

    public DashboardQueries(JsonNode dashboard, Instant now, Duration datasourceMinInterval) {
        this.dashboard = dashboard;
        this.now = now;
        this.datasourceMinInterval = datasourceMinInterval;
    }

    public String uid() {
        return dashboard.path("uid").asText();
    }

    public Instant from() {
        return DateMath.parse(dashboard.path("time").path("from").asText(), now, false);
    }

    public Instant to() {
        return DateMath.parse(dashboard.path("time").path("to").asText(), now, true);
    }

    public List<PanelQuery> panels() {
        List<PanelQuery> out = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            Instant from = p.hasNonNull("timeFrom") ? DateMath.parse("now-" + p.get("timeFrom").asText(), now, false) : from();
            Instant to = to();
            Duration min = p.hasNonNull("interval") ? Intervals.parse(p.get("interval").asText()) : datasourceMinInterval;
            int maxPoints = p.path("maxDataPoints").asInt(DEFAULT_MAX_DATA_POINTS);
            Duration interval = Intervals.interval(Duration.between(from, to), maxPoints, min);
            for (JsonNode t : p.path("targets")) {
                out.add(new PanelQuery(uid(), p.path("title").asText(), p.path("type").asText(), t.path("refId").asText(),
                        t.path("query").asText(), t.path("resultFormat").asText(), from, to, interval));
            }
        }
        return out;
    }

    public List<PanelQuery> annotations() {
        List<PanelQuery> out = new ArrayList<>();
        Duration interval = Intervals.interval(Duration.between(from(), to()), DEFAULT_MAX_DATA_POINTS, datasourceMinInterval);
        for (JsonNode a : dashboard.path("annotations").path("list")) {
            out.add(new PanelQuery(uid(), "annotation: " + a.path("name").asText(), "annotation", "-",
                    a.path("query").asText(), "table", from(), to(), interval));
        }
        return out;
    }

    /** Each variable's raw definition, in dashboard order, with no values yet. */
    public List<JsonNode> variableDefinitions() {
        List<JsonNode> out = new ArrayList<>();
        dashboard.path("templating").path("list").forEach(out::add);
        return out;
    }

    /**
     * Runs each variable's query in order (a later variable may filter on an earlier one, selected as All) and
     * returns the variables with their values, All selected.
     */
    public Map<String, TemplateVariable> resolveVariables(LoadedInflux influx) throws IOException, InterruptedException {
        return resolveVariables(influx, v -> v);
    }

    /**
     * As Grafana refreshes chained variables: each variable's query runs with the selections made so far, then
     * {@code select} picks from the values it found.
     */
    public Map<String, TemplateVariable> resolveVariables(LoadedInflux influx,
            java.util.function.UnaryOperator<TemplateVariable> select) throws IOException, InterruptedException {
        Map<String, TemplateVariable> vars = new LinkedHashMap<>();
        for (JsonNode v : variableDefinitions()) {
            String q = QueryInterpolator.interpolate(v.path("query").asText(), from(), to(),
                    datasourceMinInterval, vars);
            QueryResult r = influx.query(q);
            List<String> values = new ArrayList<>();
            for (QueryResult.Series s : r.series()) {
                int col = s.columns().indexOf("value");
                s.values().forEach(row -> values.add(String.valueOf(row.get(col))));
            }
            String name = v.path("name").asText();
            String allValue = v.hasNonNull("allValue") ? v.get("allValue").asText() : null;
            vars.put(name, select.apply(new TemplateVariable(name, v.path("multi").asBoolean(),
                    v.path("includeAll").asBoolean(), allValue, values, values, true)));
        }
        return vars;
    }
}
