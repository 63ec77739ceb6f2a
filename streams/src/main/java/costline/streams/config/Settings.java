package costline.streams.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The one reader of costline's settings: a properties file overlaid with environment variables
 * ({@code COSTLINE_KAFKA_BOOTSTRAP_SERVERS} sets {@code kafka.bootstrap.servers}). Environment wins, so one file can
 * serve several deployments. Every read takes a declared {@link Setting} and returns its type, or throws the one
 * {@link SettingsException} naming the key, the bad value and the fix; {@link #check} refuses, at start-up, a key no
 * one declared under a costline area (with the nearest valid key) and a key that was renamed (with its new name).
 *
 * <p>Secrets: keys ending in {@code token}, {@code password} or {@code jaas.config} may come from the environment or
 * from a file named by {@code <key>.file}; the InfluxDB token may not be written in the settings file at all (see
 * {@link InfluxSettings}).
 */
public final class Settings {

    public static final String ENV_PREFIX = "COSTLINE_";

    /** Key -> value from the file (or given by a caller). */
    private final Map<String, String> given;
    /** Environment variable name -> value, COSTLINE_* only. */
    private final Map<String, String> env;
    private final Set<String> fromFile;

    private Settings(Map<String, String> given, Map<String, String> env, Set<String> fromFile) {
        this.given = Collections.unmodifiableMap(new TreeMap<>(given));
        this.env = Collections.unmodifiableMap(new TreeMap<>(env));
        this.fromFile = Collections.unmodifiableSet(new TreeSet<>(fromFile));
        RenamedKeys.refuse(this.given.keySet(), this.env.keySet());
    }

    /** Settings from a properties file (may be null: environment only) and the given environment. */
    public static Settings load(Path file, Map<String, String> environment) {
        Map<String, String> fileValues = new TreeMap<>();
        if (file != null) {
            if (!Files.isReadable(file)) {
                throw new SettingsException("--config", "file " + file + " cannot be read",
                        "pass an existing properties file, or leave --config out and use COSTLINE_* environment variables");
            }
            Properties props = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                props.load(r);
            } catch (IOException | IllegalArgumentException e) {
                throw new SettingsException("--config", "file " + file + " is not a properties file: " + e.getMessage(),
                        "write key=value lines");
            }
            props.stringPropertyNames().forEach(k -> fileValues.put(k.trim(), props.getProperty(k).trim()));
        }
        Map<String, String> envValues = new TreeMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                envValues.put(name, value.trim());
            }
        });
        return new Settings(fileValues, envValues, fileValues.keySet());
    }

    /** Settings from a map, for tests and embedding. */
    public static Settings of(Map<String, String> values) {
        return new Settings(values, Map.of(), Set.of());
    }

    /** A copy with {@code key} set (over the environment too). */
    public Settings with(String key, String value) {
        Map<String, String> copy = new TreeMap<>(given);
        copy.put(key, value);
        Map<String, String> envCopy = new TreeMap<>(env);
        envCopy.remove(envVarOf(key));
        Set<String> file = new TreeSet<>(fromFile);
        file.remove(key);
        return new Settings(copy, envCopy, file);
    }

    static String envVarOf(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    // Environment variables cannot tell a dot from an underscore or a dash. A declared key is found by its own
    // variable name (see raw); for the pass-through keys (kafka.*, streams.*), which are Kafka's and use dots,
    // underscores become dots. A Kafka key that really contains an underscore must be set in the file.
    static String keyOfEnvVar(String name) {
        return name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** The value given for {@code key}: its environment variable first, then the file; null when neither. */
    private String raw(String key) {
        String v = env.get(envVarOf(key));
        if (v == null) {
            v = given.get(key);
        }
        return v == null || v.isEmpty() ? null : v;
    }

    public boolean has(String key) {
        return raw(key) != null;
    }

    /** True when the settings file itself (not the environment) holds {@code key}. */
    public boolean inFile(String key) {
        return fromFile.contains(key);
    }

    // ---- typed reads: each takes the declaration, returns its type, and names the key and the fix when wrong ----

    public String string(Setting s) {
        String v = valueOrDefault(s);
        if (v == null) {
            throw new SettingsException(s.key(), "is required and not set", "set it in the settings file or as " + s.envVar()
                    + " (" + s.description() + ")");
        }
        return v;
    }

    /** The value, or null when unset and without default. */
    public String optional(Setting s) {
        return valueOrDefault(s);
    }

    /** A whole number within the declared bounds (none declared: any long). */
    public long longValue(Setting s) {
        return longValue(s, s.min() == null ? Long.MIN_VALUE : parseLong(s, s.min()),
                s.max() == null ? Long.MAX_VALUE : parseLong(s, s.max()));
    }

    public long longValue(Setting s, long min, long max) {
        String v = string(s);
        long parsed = parseLong(s, v);
        if (parsed < min || parsed > max) {
            throw new SettingsException(s.key(), v + " is out of range", "use a value between " + min + " and " + max);
        }
        return parsed;
    }

    public int intValue(Setting s) {
        return (int) longValue(s, Math.max(Integer.MIN_VALUE, s.min() == null ? Integer.MIN_VALUE : parseLong(s, s.min())),
                Math.min(Integer.MAX_VALUE, s.max() == null ? Integer.MAX_VALUE : parseLong(s, s.max())));
    }

    public int intValue(Setting s, int min, int max) {
        return (int) longValue(s, min, max);
    }

    /** A number within the declared bounds (inclusive; none declared: any finite number). */
    public double doubleValue(Setting s) {
        String v = string(s);
        double d;
        try {
            d = Double.parseDouble(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new SettingsException(s.key(), "'" + v + "' is not a number", "write a number" + range(s) + example(s));
        }
        if (!Double.isFinite(d) || (s.min() != null && d < Double.parseDouble(s.min()))
                || (s.max() != null && d > Double.parseDouble(s.max()))) {
            throw new SettingsException(s.key(), v + " is out of range", "use a number" + range(s) + example(s));
        }
        return d;
    }

    /** A duration in the one grammar of {@link Durations}, within the declared bounds. */
    public Duration duration(Setting s) {
        String v = string(s);
        Duration d = Durations.parse(v).orElseThrow(() -> new SettingsException(s.key(), "'" + v + "' is not a duration",
                "write " + Durations.GRAMMAR + range(s) + example(s)));
        if ((s.min() != null && d.compareTo(Durations.parse(s.min()).orElseThrow()) < 0)
                || (s.max() != null && d.compareTo(Durations.parse(s.max()).orElseThrow()) > 0)) {
            throw new SettingsException(s.key(), "'" + v + "' is out of range", "use a duration" + range(s) + example(s));
        }
        return d;
    }

    public ZoneId zone(Setting s) {
        String v = string(s);
        try {
            return ZoneId.of(v);
        } catch (DateTimeException e) {
            throw new SettingsException(s.key(), "'" + v + "' is not a time zone", "use a region id such as UTC or Europe/Berlin");
        }
    }

    public boolean bool(Setting s) {
        String v = string(s).toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw new SettingsException(s.key(), "'" + v + "' is not a boolean", "write true or false");
        }
        return Boolean.parseBoolean(v);
    }

    /** One of the declared choices, upper case. */
    public String choice(Setting s) {
        String v = string(s).toUpperCase(Locale.ROOT);
        if (!s.choices().isEmpty() && !s.choices().contains(v)) {
            throw new SettingsException(s.key(), "'" + v + "' is not a choice", "use one of " + String.join(", ", s.choices()));
        }
        return v;
    }

    public <E extends Enum<E>> E choice(Setting s, Class<E> type) {
        String v = choice(s);
        try {
            return Enum.valueOf(type, v);
        } catch (IllegalArgumentException e) {
            throw new SettingsException(s.key(), "'" + v + "' is not a choice",
                    "use one of " + java.util.Arrays.stream(type.getEnumConstants()).map(Enum::name).toList());
        }
    }

    /** Comma-separated values, trimmed, empty ones dropped; empty list when unset. */
    public List<String> list(Setting s) {
        String v = optional(s);
        if (v == null) {
            return List.of();
        }
        return java.util.Arrays.stream(v.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }

    /** {@code a=b;c=d}: semicolons separate entries because GPU model names hold spaces often, commas rarely. */
    public Map<String, String> map(Setting s) {
        String v = optional(s);
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null) {
            return out;
        }
        for (String entry : v.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0 || entry.substring(eq + 1).isBlank()) {
                throw new SettingsException(s.key(), "entry '" + entry.trim() + "' is not name=value",
                        "write entries as 'NVIDIA A100-SXM4-40GB=NVIDIA A100 40GB;...'");
            }
            out.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
        }
        if (s.min() != null) {
            out.forEach((name, value) -> {
                try {
                    double d = Double.parseDouble(value);
                    if (!(d > Double.parseDouble(s.min())) || Double.isInfinite(d)) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    throw new SettingsException(s.key(), "'" + name + "=" + value + "' has no number > " + s.min() + " after '='",
                            "write e.g. 'NVIDIA A10=150'");
                }
            });
        }
        return out;
    }

    /** {@link #map} of a setting declared with positive values, as numbers. */
    public Map<String, Double> doubleMap(Setting s) {
        Map<String, Double> out = new LinkedHashMap<>();
        map(s).forEach((k, v) -> out.put(k, Double.parseDouble(v)));
        return out;
    }

    /**
     * The values of a pattern setting ({@code drift.workload.<workload>.idle-floor-pct}) by name. A name set in the
     * environment is lower case with underscores read as dots (workload {@code team.a} from
     * {@code COSTLINE_DRIFT_WORKLOAD_TEAM_A_IDLE_FLOOR_PCT}); other names must be written in the file.
     */
    public Map<String, String> byName(Setting pattern) {
        Map<String, String> out = new TreeMap<>();
        given.forEach((k, v) -> {
            String name = pattern.nameIn(k);
            if (name != null && !v.isEmpty()) {
                out.put(name, v);
            }
        });
        java.util.regex.Pattern envPattern = envPattern(pattern);
        env.forEach((name, v) -> {
            java.util.regex.Matcher m = envPattern.matcher(name);
            if (m.matches() && !v.isEmpty()) {
                out.put(m.group(1).toLowerCase(Locale.ROOT).replace('_', '.'), v);
            }
        });
        return out;
    }

    /** Every key starting with {@code prefix}, with the prefix removed (the Kafka pass-through keys). */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new TreeMap<>();
        asMap().forEach((k, v) -> {
            if (k.startsWith(prefix) && k.length() > prefix.length()) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    /** A value given by the environment or read from the file a {@code <key>.file} setting names. */
    public String secret(String key, boolean allowedInSettingsFile) {
        String v = raw(key);
        if (v != null) {
            if (!allowedInSettingsFile && inFile(key) && !env.containsKey(envVarOf(key))) {
                throw new SettingsException(key, "a secret must not be written in the settings file",
                        "remove it from the file; set " + envVarOf(key) + " or point " + key + ".file at a file holding it");
            }
            return v;
        }
        String file = raw(key + ".file");
        if (file != null) {
            try {
                return Files.readString(Path.of(file)).trim();
            } catch (IOException e) {
                throw new SettingsException(key + ".file", "cannot read " + file + ": " + e.getMessage(),
                        "point it at a readable file holding only the secret");
            }
        }
        return null;
    }

    /** Every value by key; environment variables under their dotted name (underscores as dots). */
    public Map<String, String> asMap() {
        Map<String, String> out = new TreeMap<>(given);
        env.forEach((name, v) -> out.put(keyOfEnvVar(name), v));
        return out;
    }

    // ---- start-up check ----

    /**
     * Refuses, with the key and the fix, what would otherwise be silently ignored or fail later: a key under a
     * costline area (the first word of a declared key, besides the pass-through {@code kafka} and {@code streams})
     * that no one declared, with the nearest declared key; and a declared key whose value does not read as its
     * type within its bounds. Renamed keys are refused when settings are made.
     */
    public Settings check(Collection<Setting> declared) {
        Set<String> areas = new TreeSet<>();
        for (Setting s : declared) {
            areas.add(s.key().substring(0, Math.max(0, s.key().indexOf('.'))));
        }
        areas.removeAll(List.of("", "kafka", "streams"));
        for (String key : given.keySet()) {
            if (inArea(key, areas) && !isDeclared(key, declared)) {
                throw unknown(key, key, declared);
            }
        }
        for (String name : env.keySet()) {
            String key = keyOfEnvVar(name);
            if (inArea(key, areas) && declared.stream().noneMatch(s -> s.envVar().equals(name)
                    || (s.type() == Setting.Type.SECRET && name.equals(s.envVar() + "_FILE"))
                    || envPattern(s).matcher(name).matches())) {
                throw unknown(name, key, declared);
            }
        }
        for (Setting s : declared) {
            if (s.isPattern()) {
                byName(s).keySet().forEach(name -> read(s.forName(name)));
            } else if (has(s.key())) {
                read(s);
            }
        }
        return this;
    }

    /** Reads a setting as its type (and so checks it). */
    Object read(Setting s) {
        return switch (s.type()) {
            case STRING, LIST -> string(s);
            case LONG -> longValue(s);
            case DOUBLE -> doubleValue(s);
            case DURATION -> duration(s);
            case ZONE -> zone(s);
            case BOOLEAN -> bool(s);
            case CHOICE -> choice(s);
            case MAP -> map(s);
            case SECRET -> secret(s.key(), false);
        };
    }

    private static boolean inArea(String key, Set<String> areas) {
        int dot = key.indexOf('.');
        return dot > 0 && areas.contains(key.substring(0, dot));
    }

    private static boolean isDeclared(String key, Collection<Setting> declared) {
        for (Setting s : declared) {
            if (s.matches(key) || (s.type() == Setting.Type.SECRET && key.equals(s.key() + ".file"))) {
                return true;
            }
        }
        return false;
    }

    private static SettingsException unknown(String given, String key, Collection<Setting> declared) {
        String nearest = Nearest.key(key, declared);
        String shown = given.equals(key) ? key : given;
        return new SettingsException(shown, "is not a costline setting" + (nearest == null ? "" : " (did you mean '"
                + nearest + "'?)"), nearest == null ? "remove it; the settings tables in streams/README.md list every key"
                : "write " + (given.startsWith(ENV_PREFIX) ? envVarOf(nearest) : nearest)
                + ", or remove it; a misspelt key would otherwise fall back to the default");
    }

    private static java.util.regex.Pattern envPattern(Setting s) {
        if (!s.isPattern()) {
            return java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(s.envVar()));
        }
        String key = s.key();
        int open = key.indexOf('<');
        int close = key.indexOf('>');
        return java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(envVarOf(key.substring(0, open)))
                + "(.+)" + java.util.regex.Pattern.quote(envVarOf(key.substring(close + 1)).substring(ENV_PREFIX.length())));
    }

    private String valueOrDefault(Setting s) {
        String v = raw(s.key());
        if (v == null) {
            v = s.defaultValue();
        }
        return v == null || v.isEmpty() ? null : v;
    }

    private static long parseLong(Setting s, String v) {
        try {
            return Long.parseLong(v.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new SettingsException(s.key(), "'" + v + "' is not a whole number", "write an integer" + range(s) + example(s));
        }
    }

    private static String range(Setting s) {
        String max = s.shownMax();
        if (s.min() == null && max == null) {
            return "";
        }
        if (max == null) {
            return " of at least " + s.min();
        }
        if (s.min() == null) {
            return " of at most " + max;
        }
        return " between " + s.min() + " and " + max;
    }

    private static String example(Setting s) {
        return s.defaultValue() == null ? "" : " (default " + s.defaultValue() + ")";
    }
}
