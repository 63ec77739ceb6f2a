package costline.dashboards.grafana;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Grafana's environment expansion in provisioning files: $NAME and ${NAME} become the variable's value (empty when
 * unset), and $$ is a literal $. It applies to every string of datasource, dashboard-provider and alerting files
 * (alert query models included), which is why alert queries write $$timeFilter.
 */
public final class ProvisioningEnv {

    private static final Pattern VAR = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)");

    private ProvisioningEnv() {
    }

    public static String expand(String value, Map<String, String> env) {
        String[] parts = value.split("\\$\\$", -1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                out.append('$');
            }
            Matcher m = VAR.matcher(parts[i]);
            StringBuilder part = new StringBuilder();
            while (m.find()) {
                String name = m.group(1) != null ? m.group(1) : m.group(2);
                m.appendReplacement(part, Matcher.quoteReplacement(env.getOrDefault(name, "")));
            }
            m.appendTail(part);
            out.append(part);
        }
        return out.toString();
    }

    /** The variable names a value refers to (not counting $$ escapes). */
    public static java.util.Set<String> names(String value) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (String part : value.split("\\$\\$", -1)) {
            Matcher m = VAR.matcher(part);
            while (m.find()) {
                names.add(m.group(1) != null ? m.group(1) : m.group(2));
            }
        }
        return names;
    }
}
