package costline.schemas.registry;

/** The registry could not be reached, or answered with an error, after the configured retries. */
public class RegistryUnavailableException extends RuntimeException {
    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
