package costline.dashboards.grafana;

import java.util.List;

/**
 * One dashboard template variable and the selection to interpolate: either "All" or some values.
 *
 * @param allValue the custom "All" value, or null when All means every value
 */
public record TemplateVariable(String name, boolean multi, boolean includeAll, String allValue,
                               List<String> values, List<String> selected, boolean allSelected) {

    public TemplateVariable selectAll() {
        return new TemplateVariable(name, multi, includeAll, allValue, values, values, true);
    }

    public TemplateVariable select(String value) {
        return new TemplateVariable(name, multi, includeAll, allValue, values, List.of(value), false);
    }

    /**
     * The text Grafana's InfluxDB datasource puts in the query (its interpolateQueryExpr): a variable that is
     * neither multi nor include-all goes in raw; otherwise values are regex-escaped and several become (a|b);
     * "All" with a custom all value puts that value in as is.
     */
    public String interpolated() {
        if (allSelected && allValue != null) {
            return allValue;
        }
        if (!multi && !includeAll) {
            return selected.get(0);
        }
        List<String> escaped = selected.stream().map(TemplateVariable::escapeRegex).toList();
        return escaped.size() == 1 ? escaped.get(0) : "(" + String.join("|", escaped) + ")";
    }

    /** Grafana's escapeRegex: a backslash before each of [\^$*+?.()|{}/ and ]. */
    static String escapeRegex(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if ("[\\^$*+?.()|{}]/".indexOf(c) >= 0) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }
}
