package costline.collectors.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the Kubernetes resolver from its settings and says at start-up how pods will be named. */
public final class KubernetesAttribution {

    private static final Logger log = LoggerFactory.getLogger(KubernetesAttribution.class);

    private KubernetesAttribution() {
    }

    /** The resolver with pod labels from the API server when configured, else without them. */
    public static KubernetesResolver start(KubernetesSettings settings, Path procRoot) {
        PodDirectory pods = PodDirectory.NONE;
        if (settings.apiConfigured()) {
            pods = startDirectory(new KubernetesClientBuilder().build(), settings.nodeName());
        }
        return start(settings, procRoot, pods);
    }

    /** The resolver with the given pod directory (tests pass a client of a mock API server through it). */
    public static KubernetesResolver start(KubernetesSettings settings, Path procRoot, PodDirectory pods) {
        PodResourcesClient kubelet = new PodResourcesClient(settings.socket(), settings.timeout());
        try {
            kubelet.allocatable().ifPresent(a -> log.info("the kubelet offers {} device groups on this node",
                    a.getDevicesCount()));
        } catch (KubeletUnavailableException e) {
            log.debug("GetAllocatableResources", e);
        }
        KubernetesResolver resolver = new KubernetesResolver(kubelet, pods,
                new WorkloadNaming(settings.workloadKeys(), settings.teamKeys()), procRoot, settings.refresh());
        if (pods == PodDirectory.NONE) {
            log.info("kubernetes attribution: kubelet socket {} ({} GPU devices held by pods); no pod labels "
                    + "(Kubernetes API off or refused): workload = <namespace>/<owner or pod>, team = namespace",
                    settings.socket(), resolver.snapshot().devices().size());
        } else {
            log.info("kubernetes attribution: kubelet socket {} ({} GPU devices held by pods); pod labels of node {} "
                    + "from the API server: workload = label {}, team = label {} (else <namespace>/<owner or pod> "
                    + "and the namespace)", settings.socket(), resolver.snapshot().devices().size(),
                    settings.nodeName(), settings.workloadKeys(), settings.teamKeys());
        }
        return resolver;
    }

    public static PodDirectory startDirectory(KubernetesClient client, String nodeName) {
        return ApiPodDirectory.start(client, nodeName);
    }
}
