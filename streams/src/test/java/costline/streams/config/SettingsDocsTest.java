package costline.streams.config;

import static org.assertj.core.api.Assertions.assertThat;

import costline.streams.runtime.SettingsCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The settings tables are generated from the declarations ({@link SettingsCatalog}): each README block between
 * {@code <!-- settings-table: <key prefixes> -->} and {@code <!-- /settings-table -->} must equal the table this
 * test generates for the declared keys with those prefixes (run with {@code -Dcostline.docs.write=true} to rewrite
 * the blocks), every declared key is in one block, and every costline key or COSTLINE_* variable that the READMEs,
 * the docker-compose file and the Kubernetes manifests name is declared (or is a renamed key's old name, listed as
 * such).
 */
class SettingsDocsTest {

    private static final Path ROOT = Path.of("..");
    private static final Pattern BLOCK = Pattern.compile(
            "<!-- settings-table: ([^ ]+) -->\\n(.*?)<!-- /settings-table -->", Pattern.DOTALL);
    private static final boolean WRITE = Boolean.getBoolean("costline.docs.write");

    /** Markdown table of the declared settings whose key starts with one of {@code prefixes}, in declaration order. */
    static String table(List<Setting> declared, List<String> prefixes) {
        StringBuilder out = new StringBuilder("| key | type | default | meaning |\n|---|---|---|---|\n");
        for (Setting s : declared) {
            if (prefixes.stream().anyMatch(p -> s.key().startsWith(p))) {
                out.append("| `").append(s.key()).append("` | ").append(cell(s.typeDescription())).append(" | ")
                        .append(s.defaultValue() == null ? "(none)" : "`" + s.defaultValue() + "`").append(" | ")
                        .append(cell(s.description())).append(" |\n");
            }
        }
        return out.toString();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    private static List<Path> markdown() throws IOException {
        List<Path> files = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        for (String module : List.of("streams", "app", "collectors", "reliability", "dashboards")) {
            try (Stream<Path> list = Files.list(ROOT.resolve(module))) {
                list.filter(p -> p.getFileName().toString().matches("README.*\\.md")).sorted().forEach(files::add);
            }
        }
        return files;
    }

    @Test
    void theSettingsTablesAreTheDeclarations() throws IOException {
        List<Setting> declared = SettingsCatalog.all();
        Set<String> tabled = new TreeSet<>();
        List<String> stale = new ArrayList<>();
        for (Path file : markdown()) {
            String text = Files.readString(file);
            Matcher m = BLOCK.matcher(text);
            StringBuilder rewritten = new StringBuilder();
            while (m.find()) {
                List<String> prefixes = List.of(m.group(1).split(","));
                String table = table(declared, prefixes);
                declared.stream().filter(s -> prefixes.stream().anyMatch(p -> s.key().startsWith(p)))
                        .forEach(s -> tabled.add(s.key()));
                if (!table.equals(m.group(2))) {
                    stale.add(file + " " + m.group(1) + ":\n" + table);
                }
                m.appendReplacement(rewritten, Matcher.quoteReplacement(
                        "<!-- settings-table: " + m.group(1) + " -->\n" + table + "<!-- /settings-table -->"));
            }
            m.appendTail(rewritten);
            if (WRITE && !rewritten.toString().equals(text)) {
                Files.writeString(file, rewritten.toString());
            }
        }
        assertThat(stale).as("settings tables that differ from the declarations (rerun with -Dcostline.docs.write=true)")
                .isEmpty();
        List<String> untabled = declared.stream().map(Setting::key).filter(k -> !tabled.contains(k)).toList();
        assertThat(untabled).as("declared settings in no README settings table").isEmpty();
    }

    @Test
    void everyKeyTheDocsAndDeploymentsNameIsDeclared() throws IOException {
        List<Setting> declared = SettingsCatalog.all();
        Set<String> areas = new TreeSet<>();
        declared.forEach(s -> areas.add(s.key().substring(0, s.key().indexOf('.'))));
        areas.removeAll(List.of("kafka", "streams", "schema"));
        Pattern key = Pattern.compile("`((?:" + String.join("|", areas) + ")\\.[a-z0-9.<>-]*[a-z0-9>])(?:=[^`]*)?`");
        Pattern env = Pattern.compile("\\bCOSTLINE_[A-Z0-9_]+\\b");
        List<Path> files = new ArrayList<>(markdown());
        files.add(ROOT.resolve("docker-compose.yml"));
        try (Stream<Path> k8s = Files.walk(ROOT.resolve("deploy"))) {
            k8s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().forEach(files::add);
        }
        List<String> undeclared = new ArrayList<>();
        Map<String, String> envNames = new LinkedHashMap<>();
        for (Path file : files) {
            String text = Files.readString(file);
            Matcher k = key.matcher(text);
            while (k.find()) {
                String named = k.group(1);
                if (named.endsWith("<name>") || named.matches(".*\\.(png|json|csv|md|ya?ml)")) {
                    continue; // prose about a form of key ("drift.<name>"), or a file name
                }
                boolean ok = declared.stream().anyMatch(s -> s.matches(named) || s.key().equals(named)
                        || (s.type() == Setting.Type.SECRET && named.equals(s.key() + ".file")))
                        || RenamedKeys.of(named) != null && text.contains("`" + named + "` -> `" + RenamedKeys.of(named).newKey() + "`");
                if (!ok) {
                    undeclared.add(file + ": `" + named + "`");
                }
            }
            Matcher e = env.matcher(text);
            while (e.find()) {
                envNames.putIfAbsent(e.group(), file.toString());
            }
        }
        assertThat(undeclared).as("keys the docs name that no one declares").isEmpty();
        // The environment names go through the very start-up check: an undeclared one under a costline area fails.
        List<String> badEnv = new ArrayList<>();
        // Grafana's contact point reads this one (docker-compose gives it to the grafana service only), not costline
        envNames.remove("COSTLINE_ALERT_WEBHOOK_URL");
        envNames.forEach((name, file) -> {
            try {
                Map<String, String> one = new HashMap<>();
                one.put(name, "");
                Settings.load(null, one).check(declared);
            } catch (SettingsException ex) {
                badEnv.add(file + ": " + ex.getMessage());
            }
        });
        assertThat(badEnv).as("COSTLINE_* variables the docs and deployments set that start-up would refuse").isEmpty();
    }

    @Test
    void everyRenamedKeyIsListedWithItsNewName() throws IOException {
        String readme = Files.readString(ROOT.resolve("streams/README.md"));
        List<String> missing = RenamedKeys.ALL.values().stream()
                .filter(r -> !readme.contains("- `" + r.oldKey() + "` -> `" + r.newKey() + "`"))
                .map(r -> r.oldKey() + " -> " + r.newKey()).toList();
        assertThat(missing).as("renames missing from streams/README.md's list").isEmpty();
    }
}
