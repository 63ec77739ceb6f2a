package costline.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import costline.dashboards.grafana.Intervals;
import costline.dashboards.grafana.QueryInterpolator;
import costline.dashboards.influxql.QueryResult;
import costline.dashboards.schema.SchemaCheck;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Evaluates a provisioned Grafana alert rule at an instant the way Grafana's rule engine does for the parts these
 * rules use: datasource queries over their relative time range (one series per label set), then server-side
 * expressions: reduce (last, mean, max, min, sum, count; dropNN) and threshold (gt, lt, within_range,
 * outside_range). Any other expression type fails rather than being guessed.
 */
final class AlertEvaluator {

    /** One value per label set, as expressions pass them on. */
    record Series(Map<String, String> labels, List<Double> values) {
    }

    /** Series and rows one datasource query returned. */
    record Shape(String refId, int series, int rows) {
    }

    record Outcome(Map<Map<String, String>, Boolean> instances, boolean noData, List<String> queries, List<Shape> shapes) {

        List<Map<String, String>> firing() {
            return instances.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
        }
    }

    private final LoadedInflux influx;

    AlertEvaluator(LoadedInflux influx) {
        this.influx = influx;
    }

    Outcome evaluate(JsonNode rule, Instant now) throws IOException, InterruptedException {
        Map<String, List<Series>> results = new LinkedHashMap<>();
        List<String> queries = new ArrayList<>();
        List<Shape> shapes = new ArrayList<>();
        boolean noData = false;
        for (JsonNode q : rule.path("data")) {
            String ref = q.path("refId").asText();
            JsonNode model = q.path("model");
            if (!q.path("datasourceUid").asText().equals("__expr__")) {
                Instant from = now.minusSeconds(q.path("relativeTimeRange").path("from").asLong());
                Instant to = now.minusSeconds(q.path("relativeTimeRange").path("to").asLong());
                Duration interval = Intervals.interval(Duration.between(from, to), model.path("maxDataPoints").asInt(43_200),
                        Duration.ofMillis(model.path("intervalMs").asLong(1000)));
                String sql = QueryInterpolator.interpolate(model.path("query").asText(), from, to, interval, Map.of());
                List<String> problems = SchemaCheck.problems(sql);
                if (!problems.isEmpty()) {
                    throw new AssertionError(rule.path("title").asText() + " " + ref + ": " + problems + "\n" + sql);
                }
                queries.add(sql);
                QueryResult result = influx.query(sql);
                shapes.add(new Shape(ref, result.series().size(), result.rows()));
                List<Series> series = fromResult(result);
                noData |= series.isEmpty() && ref.equals(firstQueryRef(rule));
                results.put(ref, series);
            } else {
                results.put(ref, expression(model, results));
            }
        }
        Map<Map<String, String>, Boolean> instances = new LinkedHashMap<>();
        for (Series s : results.get(rule.path("condition").asText())) {
            instances.put(s.labels(), s.values().get(0) != 0.0);
        }
        return new Outcome(instances, noData, queries, shapes);
    }

    private static String firstQueryRef(JsonNode rule) {
        for (JsonNode q : rule.path("data")) {
            if (!q.path("datasourceUid").asText().equals("__expr__")) {
                return q.path("refId").asText();
            }
        }
        throw new AssertionError("rule without a query");
    }

    private static List<Series> fromResult(QueryResult r) {
        List<Series> out = new ArrayList<>();
        for (QueryResult.Series s : r.series()) {
            if (s.columns().size() != 2) {
                throw new AssertionError("alert queries must return one value column, got " + s.columns());
            }
            List<Double> values = new ArrayList<>();
            for (int i = 0; i < s.values().size(); i++) {
                values.add(s.number(i, s.columns().get(1)));
            }
            out.add(new Series(s.tags(), values));
        }
        return out;
    }

    private static List<Series> expression(JsonNode model, Map<String, List<Series>> results) {
        List<Series> input = Objects.requireNonNull(results.get(model.path("expression").asText()),
                "expression input " + model.path("expression"));
        String type = model.path("type").asText();
        List<Series> out = new ArrayList<>();
        for (Series s : input) {
            List<Double> values = s.values().stream().filter(v -> v != null && !v.isNaN()).toList();
            double v = switch (type) {
                case "reduce" -> reduce(model.path("reducer").asText(), model.path("settings").path("mode").asText(), values);
                case "threshold" -> threshold(model.path("conditions").get(0).path("evaluator"), values.get(0));
                default -> throw new AssertionError("expression type " + type + " is not evaluated by this test");
            };
            if (!Double.isNaN(v)) {
                out.add(new Series(s.labels(), List.of(v)));
            }
        }
        return out;
    }

    private static double reduce(String reducer, String mode, List<Double> values) {
        if (!mode.equals("dropNN")) {
            throw new AssertionError("reduce mode " + mode + " is not evaluated by this test; use dropNN");
        }
        if (values.isEmpty()) {
            return Double.NaN;
        }
        return switch (reducer) {
            case "last" -> values.get(values.size() - 1);
            case "mean" -> values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            case "max" -> values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            case "min" -> values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            case "sum" -> values.stream().mapToDouble(Double::doubleValue).sum();
            case "count" -> values.size();
            default -> throw new AssertionError("reducer " + reducer);
        };
    }

    private static double threshold(JsonNode evaluator, double v) {
        JsonNode p = evaluator.path("params");
        boolean fires = switch (evaluator.path("type").asText()) {
            case "gt" -> v > p.get(0).asDouble();
            case "lt" -> v < p.get(0).asDouble();
            case "within_range" -> v > p.get(0).asDouble() && v < p.get(1).asDouble();
            case "outside_range" -> v < p.get(0).asDouble() || v > p.get(1).asDouble();
            default -> throw new AssertionError("threshold " + evaluator);
        };
        return fires ? 1 : 0;
    }
}
