package costline.streams.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The settings of the streams and sink processes: a properties file overlaid with environment variables
 * ({@code COSTLINE_KAFKA_BOOTSTRAP_SERVERS} sets {@code kafka.bootstrap.servers}). Environment wins, so one file
 * can serve several deployments. Secrets: keys ending in {@code token}, {@code password} or {@code jaas.config}
 * may come from the environment or from a file named by {@code <key>.file}; the InfluxDB token may not be
 * written in the settings file at all (see {@link InfluxSettings}).
 */
public final class Settings {

    public static final String ENV_PREFIX = "COSTLINE_";

    private final Map<String, String> values;
    private final Map<String, String> fromFile;

    private Settings(Map<String, String> values, Map<String, String> fromFile) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
        this.fromFile = Collections.unmodifiableMap(new TreeMap<>(fromFile));
    }

    /** Settings from a properties file (may be null: environment only) and the given environment. */
    public static Settings load(Path file, Map<String, String> env) {
        Map<String, String> fileValues = new TreeMap<>();
        if (file != null) {
            if (!Files.isReadable(file)) {
                throw new SettingsException("--config", "file " + file + " cannot be read",
                        "pass an existing properties file, or leave --config out and use COSTLINE_* environment variables");
            }
            Properties props = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                props.load(r);
            } catch (IOException e) {
                throw new SettingsException("--config", "file " + file + " is not a properties file: " + e.getMessage(),
                        "write key=value lines");
            }
            props.stringPropertyNames().forEach(k -> fileValues.put(k, props.getProperty(k).trim()));
        }
        Map<String, String> merged = new TreeMap<>(fileValues);
        env.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                merged.put(keyOfEnvVar(name), value.trim());
            }
        });
        return new Settings(merged, fileValues);
    }

    /** Settings from a map, for tests and embedding. */
    public static Settings of(Map<String, String> values) {
        return new Settings(values, Map.of());
    }

    /** A copy with {@code key} set. */
    public Settings with(String key, String value) {
        Map<String, String> copy = new TreeMap<>(values);
        copy.put(key, value);
        return new Settings(copy, fromFile);
    }

    static String envVarOf(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    // Environment variables cannot tell a dot from an underscore; Kafka and costline keys use dots, so underscores
    // become dots. A Kafka key that really contains an underscore must be set in the file.
    static String keyOfEnvVar(String name) {
        return name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }

    public boolean has(String key) {
        String v = values.get(key);
        return v != null && !v.isEmpty();
    }

    /** True when the settings file itself (not the environment) holds {@code key}. */
    public boolean inFile(String key) {
        return fromFile.containsKey(key);
    }

    public String string(Setting s) {
        String v = values.getOrDefault(s.key(), s.defaultValue());
        if (v == null || v.isEmpty()) {
            throw new SettingsException(s.key(), "is required and not set", "set it in the settings file or as " + s.envVar()
                    + " (" + s.description() + ")");
        }
        return v;
    }

    /** The value, or null when unset and without default. */
    public String optional(Setting s) {
        String v = values.getOrDefault(s.key(), s.defaultValue());
        return v == null || v.isEmpty() ? null : v;
    }

    public long longValue(Setting s, long min, long max) {
        String v = string(s);
        long parsed;
        try {
            parsed = Long.parseLong(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new SettingsException(s.key(), "'" + v + "' is not a whole number", "write an integer between " + min + " and " + max);
        }
        if (parsed < min || parsed > max) {
            throw new SettingsException(s.key(), parsed + " is out of range", "use a value between " + min + " and " + max);
        }
        return parsed;
    }

    public int intValue(Setting s, int min, int max) {
        return (int) longValue(s, min, max);
    }

    /** Every key starting with {@code prefix}, with the prefix removed. */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix) && k.length() > prefix.length()) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    /** A value given by the environment or read from the file a {@code <key>.file} setting names. */
    public String secret(String key, boolean allowedInSettingsFile) {
        if (values.containsKey(key) && !values.get(key).isEmpty()) {
            if (!allowedInSettingsFile && inFile(key) && values.get(key).equals(fromFile.get(key))) {
                throw new SettingsException(key, "a secret must not be written in the settings file",
                        "remove it from the file; set " + envVarOf(key) + " or point " + key + ".file at a file holding it");
            }
            return values.get(key);
        }
        String file = values.get(key + ".file");
        if (file != null && !file.isEmpty()) {
            try {
                return Files.readString(Path.of(file)).trim();
            } catch (IOException e) {
                throw new SettingsException(key + ".file", "cannot read " + file + ": " + e.getMessage(),
                        "point it at a readable file holding only the secret");
            }
        }
        return null;
    }

    public Map<String, String> asMap() {
        return values;
    }
}
