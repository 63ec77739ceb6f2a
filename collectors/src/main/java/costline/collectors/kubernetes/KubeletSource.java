package costline.collectors.kubernetes;

/** Where the pods' devices come from: the kubelet's PodResources API in production. */
@FunctionalInterface
public interface KubeletSource {

    KubeletSnapshot list() throws KubeletUnavailableException;
}
