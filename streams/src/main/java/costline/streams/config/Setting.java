package costline.streams.config;

/**
 * One setting, declared once: its key (as in the settings file; the environment variable is
 * {@code COSTLINE_} + the key upper-cased with dots and dashes as underscores), its default (null when
 * required or optional without default) and what it means. Modules keep their settings as constants of this type.
 */
public record Setting(String key, String defaultValue, String description) {

    /** The environment variable that sets this key. */
    public String envVar() {
        return Settings.envVarOf(key);
    }
}
