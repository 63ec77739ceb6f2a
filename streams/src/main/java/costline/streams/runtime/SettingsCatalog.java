package costline.streams.runtime;

import costline.streams.config.InfluxSettings;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Setting;
import costline.streams.config.Settings;
import costline.streams.focus.FocusSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every setting a costline process may be given: the Kafka and runner settings, each topology's
 * ({@link StreamsApp#settings()}), the sink's, the FOCUS export's and the audit's. One settings file and one set of
 * environment variables serve every process, so each is checked against all of them: a key no one declared under a
 * costline area, or a renamed one, stops start-up wherever it is given.
 */
public final class SettingsCatalog {

    private SettingsCatalog() {
    }

    /** Each declaration once (by key), in documentation order. */
    public static List<Setting> all() {
        return all(List.of());
    }

    /** {@link #all()} and the settings of {@code apps}, which an embedding caller may start without the class path knowing them. */
    public static List<Setting> all(List<StreamsApp> apps) {
        Map<String, Setting> byKey = new LinkedHashMap<>();
        for (List<Setting> group : groups().values()) {
            group.forEach(s -> byKey.putIfAbsent(s.key(), s));
        }
        apps.forEach(app -> app.settings().forEach(s -> byKey.putIfAbsent(s.key(), s)));
        return List.copyOf(byKey.values());
    }

    /** The declarations by who reads them: "kafka", each topology by name, "sink", "focus", "audit". */
    public static Map<String, List<Setting>> groups() {
        Map<String, List<Setting>> out = new LinkedHashMap<>();
        List<Setting> process = new ArrayList<>(KafkaSettings.ALL);
        process.add(StreamsRunner.PARTITIONS);
        out.put("kafka", List.copyOf(process));
        for (StreamsApp app : StreamsRunner.discover()) {
            out.put(app.name(), app.settings());
        }
        out.put("sink", InfluxSettings.ALL);
        out.put("focus", FocusSettings.ALL);
        out.put("audit", costline.streams.audit.LedgerAudit.SETTINGS);
        return out;
    }

    /** Settings from a file and the environment, checked against every declaration. */
    public static Settings load(Path file, Map<String, String> environment) {
        return Settings.load(file, environment).check(all());
    }
}
