package costline.collectors.kubernetes;

import java.util.Objects;

/** A pod by namespace and name, the way the kubelet's PodResources API names it. */
public record PodRef(String namespace, String name) {

    public PodRef {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
