package costline.dashboards.grafana;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a dashboard or alert query into the InfluxQL Grafana sends: template variables as the InfluxDB datasource
 * formats them, then the server-side macros ($timeFilter as absolute epoch milliseconds, $__interval, $interval,
 * $__interval_ms) and the global ${__from} / ${__to}. Anything left that looks like a macro fails, so a typo in a
 * variable name cannot pass as a query that merely returns nothing.
 */
public final class QueryInterpolator {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::(\\w+))?}|\\[\\[(\\w+)]]|\\$(\\w+)");
    private static final Pattern LEFTOVER = Pattern.compile("\\$[\\w{]|\\[\\[");

    private QueryInterpolator() {
    }

    public static String interpolate(String query, Instant from, Instant to, Duration interval,
                                     Map<String, TemplateVariable> variables) {
        String q = query
                .replace("$timeFilter", "time >= " + from.toEpochMilli() + "ms and time <= " + to.toEpochMilli() + "ms")
                .replace("$__interval_ms", Long.toString(interval.toMillis()))
                .replace("$__interval", Intervals.text(interval))
                .replace("$interval", Intervals.text(interval));
        Matcher m = VARIABLE.matcher(q);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(3) != null ? m.group(3) : m.group(4);
            String value;
            if (name.equals("__from")) {
                value = Long.toString(from.toEpochMilli());
            } else if (name.equals("__to")) {
                value = Long.toString(to.toEpochMilli());
            } else if (variables.containsKey(name)) {
                value = variables.get(name).interpolated();
            } else {
                throw new IllegalArgumentException("query names an unknown variable or macro $" + name + ": " + query);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        String result = out.toString();
        // Regex anchors such as /^...$/ stay; a $ followed by a name or brace would be an unresolved macro.
        Matcher left = LEFTOVER.matcher(result.replaceAll("\\$/", "/"));
        if (left.find()) {
            throw new IllegalArgumentException("unresolved macro at " + left.start() + " in: " + result);
        }
        return result;
    }
}
