package costline.schemas.serde;

import java.util.Map;

/**
 * Serde settings, under the same keys as Confluent's Avro serde so that a configuration works with either.
 *
 * @param registryUrl          {@code schema.registry.url}: base URL of the registry, or mock://scope
 * @param autoRegister         {@code auto.register.schemas}: register the writer's schema on first use (default true)
 */
public record SerdeConfig(String registryUrl, boolean autoRegister) {

    public static final String REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER = "auto.register.schemas";

    public static SerdeConfig from(Map<String, ?> configs) {
        Object url = configs.get(REGISTRY_URL);
        if (url == null || url.toString().isBlank()) {
            throw new IllegalArgumentException(REGISTRY_URL + " is not set: give the schema registry's base URL, "
                    + "e.g. http://localhost:8081");
        }
        Object auto = configs.get(AUTO_REGISTER);
        return new SerdeConfig(url.toString(), auto == null || Boolean.parseBoolean(auto.toString()));
    }
}
