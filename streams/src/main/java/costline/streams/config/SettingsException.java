package costline.streams.config;

/**
 * The one settings error: a setting is missing, wrong, unknown or renamed; the message names the key (and its
 * environment variable), the bad value and how to fix it. Stops start-up: the commands print it and exit 2.
 */
public final class SettingsException extends RuntimeException {

    private final String key;
    private final String problem;
    private final String fix;

    public SettingsException(String key, String problem, String fix) {
        super("setting '" + key + "'" + (key.startsWith(Settings.ENV_PREFIX) || key.startsWith("-") ? ""
                : " (env " + Settings.envVarOf(key) + ")") + ": " + problem + "; fix: " + fix);
        this.key = key;
        this.problem = problem;
        this.fix = fix;
    }

    public String key() {
        return key;
    }

    /** What is wrong, without the key. */
    public String problem() {
        return problem;
    }

    /** How to fix it. */
    public String fix() {
        return fix;
    }

    /** Throws unless {@code ok}: a record's own check of a value (or of two against each other). */
    public static void require(boolean ok, String key, String problem, String fix) {
        if (!ok) {
            throw new SettingsException(key, problem, fix);
        }
    }
}
