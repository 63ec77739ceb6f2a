package costline.streams.config;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One setting, declared once: its key (as in the settings file; the environment variable is {@code COSTLINE_} + the
 * key upper-cased with dots and dashes as underscores), its type with bounds, its default (null when required or
 * optional without default) and what it means. Modules keep their settings as constants of this type, and each
 * {@link costline.streams.runtime.StreamsApp} lists its own; {@link Settings} reads them typed and
 * {@link SettingsCatalog} refuses unknown and renamed keys at start-up.
 *
 * <p>Key style: {@code <area>.<name>}, lowercase, words of a name joined by hyphens ({@code cost.emit-interval},
 * {@code drift.idle-floor-pct}); a time is a {@link Type#DURATION} in the one grammar of {@link Durations}, never a
 * number of milliseconds. Exceptions are keys spelled by another product: {@code kafka.*} and {@code streams.*} pass
 * through to the Kafka clients under Kafka's own names, {@code schema.registry.url} is Confluent's, and a secret may
 * come from a file named by {@code <secret key>.file}.
 *
 * <p>A key may hold a placeholder, {@code drift.workload.<workload>.idle-floor-pct}: a pattern setting, one value
 * per name (the placeholder matches one or more dot-separated words).
 *
 * @param min     lower bound, inclusive, in the type's own grammar (e.g. {@code 1s}, {@code 1}); null: none
 * @param max     upper bound, inclusive; null: none
 * @param choices the allowed values of a {@link Type#CHOICE} (upper case), else empty
 */
public record Setting(String key, String defaultValue, String description, Type type, String min, String max,
                      List<String> choices) {

    /** What a value is; {@link Settings} reads each with its own parser and bounds. */
    public enum Type {
        STRING("text"),
        LONG("whole number"),
        DOUBLE("number"),
        DURATION("duration"),
        ZONE("time zone"),
        BOOLEAN("true/false"),
        CHOICE("one of"),
        LIST("comma-separated list"),
        MAP("name=value;name=value"),
        SECRET("secret");

        private final String label;

        Type(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("<[a-z-]+>");

    public Setting {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        choices = choices == null ? List.of() : List.copyOf(choices);
        description = description == null ? "" : description;
    }

    /** A text setting; the form most settings began in (and still fine for names and URLs). */
    public Setting(String key, String defaultValue, String description) {
        this(key, defaultValue, description, Type.STRING, null, null, List.of());
    }

    public static Setting string(String key, String dflt, String description) {
        return new Setting(key, dflt, description);
    }

    /** A whole number in [min, max]. */
    public static Setting longValue(String key, long dflt, long min, long max, String description) {
        return new Setting(key, Long.toString(dflt), description, Type.LONG, Long.toString(min), Long.toString(max), List.of());
    }

    /** A number in [min, max]; null bounds are open. */
    public static Setting doubleValue(String key, double dflt, Double min, Double max, String description) {
        return new Setting(key, plain(dflt), description, Type.DOUBLE, min == null ? null : plain(min),
                max == null ? null : plain(max), List.of());
    }

    /** A duration in the grammar of {@link Durations}, in [min, max] (both in that grammar; null: open). */
    public static Setting duration(String key, String dflt, String min, String max, String description) {
        return new Setting(key, dflt, description, Type.DURATION, min, max, List.of());
    }

    public static Setting zone(String key, String dflt, String description) {
        return new Setting(key, dflt, description, Type.ZONE, null, null, List.of());
    }

    public static Setting bool(String key, boolean dflt, String description) {
        return new Setting(key, Boolean.toString(dflt), description, Type.BOOLEAN, null, null, List.of());
    }

    /** One of {@code choices} (case-insensitive; read upper case). */
    public static Setting choice(String key, String dflt, List<String> choices, String description) {
        return new Setting(key, dflt, description, Type.CHOICE, null, null,
                choices.stream().map(c -> c.toUpperCase(Locale.ROOT)).toList());
    }

    /** Choice among the constants of an enum. */
    public static <E extends Enum<E>> Setting choice(String key, E dflt, Class<E> type, String description) {
        return choice(key, dflt.name(), java.util.Arrays.stream(type.getEnumConstants()).map(Enum::name).toList(), description);
    }

    public static Setting list(String key, String dflt, String description) {
        return new Setting(key, dflt, description, Type.LIST, null, null, List.of());
    }

    /** {@code name=value;name=value}; with {@code positiveValues} every value must be a number above 0. */
    public static Setting map(String key, boolean positiveValues, String description) {
        return new Setting(key, null, description, Type.MAP, positiveValues ? "0" : null, null, List.of());
    }

    /** A secret: from the environment or the file named by {@code <key>.file}, never from the settings file. */
    public static Setting secret(String key, String description) {
        return new Setting(key, null, description, Type.SECRET, null, null, List.of());
    }

    /** The environment variable that sets this key. */
    public String envVar() {
        return Settings.envVarOf(key);
    }

    /** True when the key holds a placeholder such as {@code <workload>}. */
    public boolean isPattern() {
        return PLACEHOLDER.matcher(key).find();
    }

    /** True when {@code candidate} is this key, or fills this pattern's placeholder. */
    public boolean matches(String candidate) {
        return isPattern() ? regex().matcher(candidate).matches() : key.equals(candidate);
    }

    /** The name a concrete key fills the placeholder with, or null when it does not match. */
    public String nameIn(String candidate) {
        if (!isPattern()) {
            return null;
        }
        Matcher m = regex().matcher(candidate);
        return m.matches() ? m.group(1) : null;
    }

    /** This pattern setting for one name: {@code drift.workload.<workload>.x} for {@code nb} is {@code drift.workload.nb.x}. */
    public Setting forName(String name) {
        return new Setting(PLACEHOLDER.matcher(key).replaceFirst(Matcher.quoteReplacement(name)), defaultValue, description,
                type, min, max, choices);
    }

    /** A copy under another key (a per-name pattern of a default, say), the same in everything else. */
    public Setting withKey(String newKey, String newDefault, String newDescription) {
        return new Setting(newKey, newDefault, newDescription, type, min, max, choices);
    }

    /** The upper bound as shown to people: none where it is only the limit of the Java type. */
    String shownMax() {
        return max == null || max.equals(Integer.toString(Integer.MAX_VALUE)) || max.equals(Long.toString(Long.MAX_VALUE))
                ? null : max;
    }

    /** Type and bounds in words, for docs and errors: "duration, 1s..1d". */
    public String typeDescription() {
        String shown = shownMax();
        String bounds = min == null && shown == null ? "" : ", " + (min == null ? "" : min) + ".." + (shown == null ? "" : shown);
        return switch (type) {
            case CHOICE -> "one of " + String.join(", ", choices);
            case MAP -> type.label() + (min != null ? " (values > 0)" : "");
            default -> type.label() + bounds;
        };
    }

    private Pattern regex() {
        StringBuilder re = new StringBuilder();
        Matcher m = PLACEHOLDER.matcher(key);
        int at = 0;
        while (m.find()) {
            re.append(Pattern.quote(key.substring(at, m.start()))).append("(.+)");
            at = m.end();
        }
        re.append(Pattern.quote(key.substring(at)));
        return Pattern.compile(re.toString());
    }

    private static String plain(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
