package costline.collectors.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import costline.collectors.attribution.Attributor;
import costline.collectors.attribution.ChildProcesses;
import costline.collectors.attribution.GpuProcess;
import costline.collectors.attribution.ResolverChain;
import costline.collectors.attribution.Workload;
import costline.events.WorkloadShare;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Pod labels from a Kubernetes API server: fabric8's mock server, in CRUD mode (and in expectation mode for 403). */
class PodLabelsTest {

    static final String NODE = "gpu-node-1";
    static final String GPU0 = KubeletAttributionTest.GPU0;
    static final WorkloadNaming NAMING = new WorkloadNaming(List.of("app.kubernetes.io/name", "app"),
            List.of("team"));

    private KubernetesMockServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.destroy();
        }
    }

    /** Waits up to 10 s for a condition the watch makes true. */
    static void eventually(java.util.concurrent.Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not true within 10 s");
            }
            Thread.sleep(20);
        }
    }

    /**
     * The mock's CRUD store matches field selectors on metadata.name and metadata.namespace only. A real API server
     * also selects pods by spec.nodeName, so requests for {@code fieldSelector=spec.nodeName=<node>} are answered
     * by the store's label selector on a label that mirrors the pod's node: a client that did not ask for its node
     * would get every pod, and the test would see it.
     */
    static final class NodeFieldSelector extends Dispatcher {
        final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String path = request.getPath();
            String rewritten = path.replace("fieldSelector=spec.nodeName%3D", "labelSelector=" + NODE_LABEL + "%3D");
            if (rewritten.equals(path)) {
                return crud.dispatch(request);
            }
            return crud.dispatch(new RecordedRequest(request.getHttpVersion(), request.method(), rewritten,
                    request.getHeaders(), request.getBody()));
        }
    }

    static final String NODE_LABEL = "test.costline.dev%2Fnode";

    private KubernetesClient crud() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new NodeFieldSelector(), false);
        server.init();
        return server.createClient();
    }

    static Pod pod(String ns, String name, String node, Map<String, String> labels, String ownerKind, String owner) {
        Map<String, String> all = new HashMap<>(labels);
        all.put("test.costline.dev/node", node);
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace(ns).withName(name)
                .withUid(java.util.UUID.nameUUIDFromBytes((ns + "/" + name).getBytes()).toString())
                .withLabels(all).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("main").withImage("busybox:1.36")
                .endContainer().endSpec();
        if (owner != null) {
            b.editMetadata().addNewOwnerReference().withApiVersion("apps/v1").withKind(ownerKind).withName(owner)
                    .withUid("owner-uid").withController(true).endOwnerReference().endMetadata();
        }
        return b.build();
    }

    @Test
    void labelKeysNameWorkloadAndTeamAndMissingLabelsFallBackToOwnerAndNamespace() throws Exception {
        KubernetesClient client = crud();
        client.pods().inNamespace("ml").resource(pod("ml", "llm-train-7d9c8b6f5-x2bq4", NODE,
                Map.of("app.kubernetes.io/name", "llm-train", "team", "foundation-models",
                        "pod-template-hash", "7d9c8b6f5"), "ReplicaSet", "llm-train-7d9c8b6f5")).create();
        client.pods().inNamespace("serving").resource(pod("serving", "ranker-0", NODE, Map.of("other", "x"),
                "StatefulSet", "ranker")).create();
        client.pods().inNamespace("web").resource(pod("web", "frontend-0", "cpu-node-9",
                Map.of("app", "frontend"), null, null)).create();

        try (PodDirectory directory = ApiPodDirectory.start(client, NODE)) {
            PodRef train = new PodRef("ml", "llm-train-7d9c8b6f5-x2bq4");
            PodRef ranker = new PodRef("serving", "ranker-0");
            eventually(() -> directory.byRef(ranker).isPresent()
                    && directory.byRef(train).isPresent());

            assertThat(NAMING.name(train, directory.byRef(train)))
                    .isEqualTo(new Workload("llm-train", "foundation-models", "ml", "llm-train-7d9c8b6f5-x2bq4"));
            // no workload or team label: <namespace>/<controller>, team = namespace
            assertThat(NAMING.name(ranker, directory.byRef(ranker)))
                    .isEqualTo(new Workload("serving/ranker", "serving", "serving", "ranker-0"));
            // the ReplicaSet is followed to its Deployment
            assertThat(directory.byRef(train).get().ownerKind()).isEqualTo("Deployment");
            assertThat(directory.byRef(train).get().ownerName()).isEqualTo("llm-train");
            // only this node's pods are read
            assertThat(directory.byRef(new PodRef("web", "frontend-0"))).isEmpty();

            // a label edited on the live pod is seen through the watch
            long before = directory.generation();
            client.pods().inNamespace("serving").withName("ranker-0")
                    .edit(p -> new PodBuilder(p).editMetadata().addToLabels("team", "search").endMetadata().build());
            eventually(() -> "search".equals(NAMING.name(ranker, directory.byRef(ranker)).team()));
            assertThat(directory.generation()).isGreaterThan(before);

            // a deleted pod is forgotten
            client.pods().inNamespace("ml").withName("llm-train-7d9c8b6f5-x2bq4").delete();
            eventually(() -> directory.byRef(train).isEmpty());
        }
    }

    @Test
    void theKubeletAndTheApiTogetherNameTheProcessByItsCgroupOrHostname() throws Exception {
        KubernetesClient client = crud();
        client.pods().inNamespace("ml").resource(pod("ml", "notebook-a", NODE,
                Map.of("app", "notebook", "team", "research"), null, null)).create();
        client.pods().inNamespace("ml").resource(pod("ml", "notebook-b", NODE,
                Map.of("app", "notebook", "team", "applied"), null, null)).create();
        try (FakeKubelet kubelet = new FakeKubelet(FakeKubelet.socketPath()).start();
             ChildProcesses children = new ChildProcesses()) {
            kubelet.pod("ml", "notebook-a", "nvidia.com/gpu", GPU0 + "::0")
                    .pod("ml", "notebook-b", "nvidia.com/gpu", GPU0 + "::1");
            PodDirectory directory = ApiPodDirectory.start(client, NODE);
            eventually(() -> directory.byRef(new PodRef("ml", "notebook-b"))
                    .isPresent());
            KubernetesSettings settings = new KubernetesSettings(KubernetesSettings.Mode.ON, kubelet.socket(),
                    Duration.ofSeconds(2), Duration.ofSeconds(10), KubernetesSettings.ApiMode.AUTO, NODE,
                    List.of("app"), List.of("team"));
            try (KubernetesResolver resolver = KubernetesAttribution.start(settings, Path.of("/proc"), directory)) {
                Attributor attributor = new Attributor(new ResolverChain(List.of(resolver), Path.of("/proc")));
                int a = children.start(Map.of("HOSTNAME", "notebook-a"));
                int b = children.start(Map.of("HOSTNAME", "notebook-b"));
                List<WorkloadShare> shares = attributor.attribute(GPU0, List.of(
                        new GpuProcess(a, 1L << 30, 20.0), new GpuProcess(b, 1L << 30, 60.0)));
                // both pods' workload label is "notebook", their teams differ: two shares, 20/80 and 60/80
                assertThat(shares).containsExactly(
                        new WorkloadShare("notebook", "applied", 0.75f, b, "ml", "notebook-b"),
                        new WorkloadShare("notebook", "research", 0.25f, a, "ml", "notebook-a"));
            }
        }
    }

    @Test
    void aRefusalByRbacFallsBackToNamespaceNamingWithOneWarning() throws Exception {
        server = new KubernetesMockServer(false);
        server.init();
        Status forbidden = new StatusBuilder().withCode(403).withReason("Forbidden").withStatus("Failure")
                .withMessage("pods is forbidden: User \"system:serviceaccount:costline:collector\" cannot list "
                        + "resource \"pods\" in API group \"\" at the cluster scope").build();
        server.expect().get().withPath("/api/v1/pods?fieldSelector=spec.nodeName%3D" + NODE)
                .andReturn(403, forbidden).always();
        KubernetesClient client = server.createClient();

        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        PodDirectory directory;
        try {
            directory = ApiPodDirectory.start(client, NODE);
        } finally {
            System.setErr(err);
        }
        assertThat(directory).isSameAs(PodDirectory.NONE);
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log.lines().filter(l -> l.contains("WARN")).count()).as(log).isEqualTo(1);
        assertThat(log).contains("HTTP 403").contains("<namespace>/<owner or pod>")
                .contains("get, list and watch on pods");
        PodRef pod = new PodRef("ml", "llm-train-7d9c8b6f5-x2bq4");
        assertThat(NAMING.name(pod, directory.byRef(pod)))
                .isEqualTo(new Workload("ml/llm-train", "ml", "ml", "llm-train-7d9c8b6f5-x2bq4"));
    }
}
