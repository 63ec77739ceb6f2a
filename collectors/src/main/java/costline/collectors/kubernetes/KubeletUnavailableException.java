package costline.collectors.kubernetes;

/** The kubelet's PodResources socket could not answer: missing, refused, slow past the deadline, or garbled. */
public final class KubeletUnavailableException extends Exception {

    public KubeletUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
