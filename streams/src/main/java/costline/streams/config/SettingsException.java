package costline.streams.config;

/** A setting is missing or wrong; the message names the key and how to fix it. Stops start-up. */
public final class SettingsException extends RuntimeException {

    private final String key;

    public SettingsException(String key, String problem, String fix) {
        super("setting '" + key + "' (env " + Settings.envVarOf(key) + "): " + problem + "; fix: " + fix);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
