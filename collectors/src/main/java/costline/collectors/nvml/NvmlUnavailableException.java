package costline.collectors.nvml;

/** NVML cannot be used on this machine: the message says what to install or fix. Fatal at start-up. */
public final class NvmlUnavailableException extends RuntimeException {

    public NvmlUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
