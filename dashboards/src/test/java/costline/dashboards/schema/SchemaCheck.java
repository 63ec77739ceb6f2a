package costline.dashboards.schema;

import costline.streams.sink.Measurement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks every identifier of an InfluxQL query against {@link Measurement}, the schema the sink writes: a
 * measurement after FROM must be one of the sink's, and every other double-quoted identifier must be a field or tag
 * of a measurement the query reads, an alias the query itself defines (AS "x"), or time. Identifiers must be
 * double-quoted: a bare word that is not an InfluxQL keyword or function fails, so nothing escapes the check.
 */
public final class SchemaCheck {

    private static final Set<String> KEYWORDS = Set.of(
            "select", "from", "where", "and", "or", "group", "by", "as", "time", "fill", "null", "previous",
            "linear", "none", "order", "desc", "asc", "limit", "slimit", "offset", "soffset", "show", "tag",
            "values", "with", "key", "in", "not", "tz", "now", "true", "false", "measurements", "field", "keys");
    private static final Set<String> FUNCTIONS = Set.of(
            "mean", "median", "sum", "count", "last", "first", "max", "min", "spread", "stddev", "distinct",
            "integral", "difference", "derivative", "non_negative_derivative", "cumulative_sum", "moving_average",
            "percentile", "top", "bottom", "mode", "elapsed", "abs", "round", "floor", "ceil");
    private static final Pattern TOKEN = Pattern.compile(
            "\\s+|'(?:[^'\\\\]|\\\\.)*'|\"((?:[^\"\\\\]|\\\\.)*)\""
                    + "|(\\d+(?:\\.\\d+)?(?:ns|u|µ|ms|s|m|h|d|w)?)|([A-Za-z_][A-Za-z0-9_]*)|(=~|!~|<>|!=|<=|>=|[-+*/%=<>(),;])");

    private static final Pattern REGEX = Pattern.compile("\\s*/(?:[^/\\\\]|\\\\.)*/");

    private SchemaCheck() {
    }

    /** The problems found; empty when every identifier is one the sink writes. */
    public static List<String> problems(String query) {
        List<String> problems = new ArrayList<>();
        List<String[]> tokens = lex(query, problems);
        Set<Measurement> read = new LinkedHashSet<>();
        Set<String> aliases = new LinkedHashSet<>();
        for (int i = 0; i < tokens.size(); i++) {
            String[] t = tokens.get(i);
            String prev = i > 0 ? tokens.get(i - 1)[1].toLowerCase(Locale.ROOT) : "";
            if (t[0].equals("ident") && prev.equals("from")) {
                Measurement m = byName(t[1]);
                if (m == null) {
                    problems.add("measurement \"" + t[1] + "\" is not one the sink writes");
                } else {
                    read.add(m);
                }
            } else if (t[0].equals("ident") && prev.equals("as")) {
                aliases.add(t[1]);
            } else if (t[0].equals("word")) {
                String w = t[1].toLowerCase(Locale.ROOT);
                if (!KEYWORDS.contains(w) && !FUNCTIONS.contains(w)) {
                    problems.add("bare word " + t[1] + ": quote identifiers (\"name\") so they can be checked");
                }
            }
        }
        if (read.isEmpty()) {
            problems.add("the query reads no measurement of the sink");
        }
        for (int i = 0; i < tokens.size(); i++) {
            String[] t = tokens.get(i);
            String prev = i > 0 ? tokens.get(i - 1)[1].toLowerCase(Locale.ROOT) : "";
            if (!t[0].equals("ident") || prev.equals("from") || prev.equals("as")) {
                continue;
            }
            String name = t[1];
            boolean known = name.equals("time") || aliases.contains(name)
                    || read.stream().anyMatch(m -> m.fields().contains(name) || m.tags().contains(name));
            if (!known) {
                problems.add("\"" + name + "\" is no field or tag of " + read.stream().map(Measurement::measurementName).toList()
                        + " and no alias of the query");
            }
        }
        return problems;
    }

    private static Measurement byName(String name) {
        for (Measurement m : Measurement.values()) {
            if (m.measurementName().equals(name)) {
                return m;
            }
        }
        return null;
    }

    /** Tokens as {kind, text}: ident (double-quoted, unquoted text), word, other. */
    private static List<String[]> lex(String q, List<String> problems) {
        List<String[]> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(q);
        int pos = 0;
        while (pos < q.length()) {
            String last = tokens.isEmpty() ? "" : tokens.get(tokens.size() - 1)[1];
            if ((last.equals("=~") || last.equals("!~")) && REGEX.matcher(q).region(pos, q.length()).lookingAt()) {
                Matcher r = REGEX.matcher(q).region(pos, q.length());
                r.lookingAt();
                tokens.add(new String[] {"regex", r.group().strip()});
                pos = r.end();
                continue;
            }
            if (!m.find(pos) || m.start() != pos) {
                problems.add("cannot read the query at: " + q.substring(pos, Math.min(q.length(), pos + 20)));
                return tokens;
            }
            String text = m.group();
            if (m.group(1) != null) {
                tokens.add(new String[] {"ident", m.group(1)});
            } else if (m.group(3) != null) {
                tokens.add(new String[] {"word", text});
            } else if (!text.isBlank()) {
                tokens.add(new String[] {"other", text});
            }
            pos = m.end();
        }
        return tokens;
    }
}
