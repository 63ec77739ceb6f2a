package costline.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import costline.schemas.Topics;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * deploy/kubernetes rendered by {@code kubectl kustomize} (kubectl's built-in kustomize), every object parsed into
 * the fabric8 Kubernetes model with unknown fields failing, and the deployment's invariants checked on what a
 * cluster would receive.
 */
class KubernetesManifestsTest {

    static final Path DEPLOY = Path.of("..", "deploy", "kubernetes").toAbsolutePath().normalize();
    static final String VERSION = System.getProperty("costline.version", "");
    static final Set<String> LONG_RUNNING = Set.of("costline-collector", "costline-streams", "costline-sink");

    /** Runs kubectl kustomize on a directory; kubectl must be installed (.ci/run checks it first). */
    static String render(Path dir) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("kubectl is not installed: the manifest tests render deploy/kubernetes "
                    + "with `kubectl kustomize` (kubectl 1.14+ has kustomize built in); install kubectl", e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("kubectl kustomize %s:%n%s", dir, text).isZero();
        return text;
    }

    /** Every document as its typed fabric8 class (CRDs: GenericKubernetesResource), checked for unknown fields. */
    static List<HasMetadata> parse(String yaml) {
        KubernetesSerialization serialization = new KubernetesSerialization();
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            if (doc.isBlank()) {
                continue;
            }
            HasMetadata object = serialization.unmarshal(doc);
            if (!(object instanceof GenericKubernetesResource)) {
                assertNoUnknownFields(object, object.getKind() + "/" + object.getMetadata().getName(),
                        new IdentityHashMap<>());
            }
            objects.add(object);
        }
        return objects;
    }

    /**
     * fabric8's model keeps fields it does not know in additionalProperties instead of failing: a misspelt field
     * (e.g. readOnlyRootFileSystem) would be dropped silently by the API server. Walk the object and fail on any.
     */
    static void assertNoUnknownFields(Object node, String path, Map<Object, Boolean> seen) {
        if (node == null || seen.put(node, Boolean.TRUE) != null) {
            return;
        }
        if (node instanceof Collection<?> c) {
            int i = 0;
            for (Object o : c) {
                assertNoUnknownFields(o, path + "[" + i++ + "]", seen);
            }
            return;
        }
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> assertNoUnknownFields(v, path + "." + k, seen));
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(node);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                assertThat((Map<?, ?>) value).as("unknown fields at %s", path).isNullOrEmpty();
            } else if (!(value instanceof Quantity) && !(value instanceof String)) {
                assertNoUnknownFields(value, path + "." + getter.getName().substring(3), seen);
            }
        }
    }

    static PodSpec podSpec(HasMetadata o) {
        PodTemplateSpec t = null;
        if (o instanceof DaemonSet d) {
            t = d.getSpec().getTemplate();
        } else if (o instanceof Deployment d) {
            t = d.getSpec().getTemplate();
        } else if (o instanceof StatefulSet s) {
            t = s.getSpec().getTemplate();
        } else if (o instanceof Job j) {
            t = j.getSpec().getTemplate();
        }
        return t == null ? null : t.getSpec();
    }

    static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type, String name) {
        return objects.stream().filter(type::isInstance).map(type::cast)
                .filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyOverlayRendersAndKeepsTheInvariants(String overlay) throws Exception {
        List<HasMetadata> objects = parse(render(DEPLOY.resolve("overlays").resolve(overlay)));
        assertThat(objects).extracting(HasMetadata::getKind).contains("Namespace", "ConfigMap", "ServiceAccount",
                "ClusterRole", "ClusterRoleBinding", "DaemonSet", "StatefulSet", "Deployment", "Job", "Service");

        for (HasMetadata o : objects) {
            if (!(o.getKind().equals("Namespace") || o.getKind().startsWith("Cluster"))) {
                assertThat(o.getMetadata().getNamespace()).as("namespace of %s", o.getMetadata().getName())
                        .isEqualTo("costline");
            }
            PodSpec pod = podSpec(o);
            if (pod == null) {
                continue;
            }
            String name = o.getMetadata().getName();
            List<Container> containers = new ArrayList<>(pod.getContainers());
            if (pod.getInitContainers() != null) {
                containers.addAll(pod.getInitContainers());
            }
            for (Container c : containers) {
                String at = name + "/" + c.getName();
                // requests and limits for CPU and memory
                assertThat(c.getResources().getRequests()).as("requests of %s", at).containsKeys("cpu", "memory");
                assertThat(c.getResources().getLimits()).as("limits of %s", at).containsKeys("cpu", "memory");
                // the image pinned to the project version, never a moving tag
                assertThat(c.getImage()).as("image of %s", at).isEqualTo("ghcr.io/costline/costline:" + VERSION);
                assertThat(VERSION).isNotBlank();
                // probes on every long-running container; a Job's container runs to completion, so it has none
                if (!(o instanceof Job)) {
                    assertThat(c.getLivenessProbe()).as("liveness probe of %s", at).isNotNull();
                    assertThat(c.getReadinessProbe()).as("readiness probe of %s", at).isNotNull();
                    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
                    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
                    Map<String, String> annotations = o instanceof DaemonSet d
                            ? d.getSpec().getTemplate().getMetadata().getAnnotations()
                            : o instanceof StatefulSet s ? s.getSpec().getTemplate().getMetadata().getAnnotations()
                            : ((Deployment) o).getSpec().getTemplate().getMetadata().getAnnotations();
                    assertThat(annotations).as("scrape annotations of %s", at)
                            .containsEntry("prometheus.io/scrape", "true").containsEntry("prometheus.io/path", "/metrics")
                            .containsEntry("prometheus.io/port", String.valueOf(c.getPorts().get(0).getContainerPort()));
                }
                var sc = c.getSecurityContext();
                assertThat(sc).as("securityContext of %s", at).isNotNull();
                // no privileged container anywhere: the collector needs two capabilities, not privileged mode
                assertThat(sc.getPrivileged()).as("privileged %s", at).isNotEqualTo(Boolean.TRUE);
                assertThat(sc.getAllowPrivilegeEscalation()).as("privilege escalation %s", at).isFalse();
                assertThat(sc.getReadOnlyRootFilesystem()).as("read-only root fs %s", at).isTrue();
                assertThat(sc.getCapabilities().getDrop()).as("dropped capabilities %s", at).containsExactly("ALL");
                if (o instanceof DaemonSet) {
                    // NVML reports host pids; /proc/<pid>/environ of other users needs ptrace rights, as root
                    assertThat(sc.getCapabilities().getAdd()).containsExactlyInAnyOrder("SYS_PTRACE", "DAC_READ_SEARCH");
                } else {
                    assertThat(sc.getCapabilities().getAdd()).as("added capabilities %s", at).isNullOrEmpty();
                    boolean nonRoot = Boolean.TRUE.equals(sc.getRunAsNonRoot()) || (pod.getSecurityContext() != null
                            && Boolean.TRUE.equals(pod.getSecurityContext().getRunAsNonRoot()));
                    assertThat(nonRoot).as("%s runs as non-root", at).isTrue();
                }
                // every host path and the kubelet socket's directory mounted read-only
                for (var mount : c.getVolumeMounts()) {
                    var volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName()))
                            .findFirst();
                    if (volume.isEmpty()) {
                        assertThat(o instanceof StatefulSet s && s.getSpec().getVolumeClaimTemplates().stream()
                                .anyMatch(t -> t.getMetadata().getName().equals(mount.getName())))
                                .as("volume %s of %s", mount.getName(), at).isTrue();
                    } else if (volume.get().getHostPath() != null) {
                        assertThat(mount.getReadOnly()).as("host path %s in %s read-only", mount.getMountPath(), at)
                                .isTrue();
                    }
                }
            }
            if (!(o instanceof DaemonSet)) {
                assertThat(pod.getHostPID()).as("hostPID of %s", name).isNotEqualTo(Boolean.TRUE);
                assertThat(pod.getVolumes()).as("host paths of %s", name).allMatch(v -> v.getHostPath() == null);
            }
        }

        // the collector: GPU nodes, the kubelet socket read-only, the host's /proc, the NVIDIA runtime
        DaemonSet collector = one(objects, DaemonSet.class, "costline-collector");
        PodSpec pod = collector.getSpec().getTemplate().getSpec();
        assertThat(pod.getRuntimeClassName()).isEqualTo("nvidia");
        assertThat(pod.getHostPID()).isTrue();
        assertThat(pod.getNodeSelector()).isNotEmpty();
        assertThat(pod.getTolerations()).anyMatch(t -> "nvidia.com/gpu".equals(t.getKey()));
        assertThat(pod.getServiceAccountName()).isEqualTo("costline-collector");
        Container c = pod.getContainers().get(0);
        assertThat(c.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/var/lib/kubelet/pod-resources")
                && Boolean.TRUE.equals(m.getReadOnly()));
        assertThat(c.getArgs()).contains("--kubelet-socket=/var/lib/kubelet/pod-resources/kubelet.sock",
                "--proc-root=/host/proc");
        assertThat(c.getEnv()).anyMatch(e -> e.getName().equals("NODE_NAME")
                && e.getValueFrom().getFieldRef().getFieldPath().equals("spec.nodeName"));

        // RBAC: read-only, and only the collector's account is bound
        for (HasMetadata o : objects) {
            List<PolicyRule> rules = o instanceof ClusterRole r ? r.getRules() : o instanceof Role r ? r.getRules() : null;
            if (rules != null) {
                for (PolicyRule rule : rules) {
                    assertThat(rule.getVerbs()).as("verbs of %s", o.getMetadata().getName())
                            .isSubsetOf("get", "list", "watch");
                    assertThat(rule.getResources()).containsExactly("pods");
                }
            }
        }

        // the Streams apps keep their state on a volume; replicas never exceed the topics' partitions
        StatefulSet streams = one(objects, StatefulSet.class, "costline-streams");
        assertThat(streams.getSpec().getVolumeClaimTemplates()).hasSize(1);
        ConfigMap settings = one(objects, ConfigMap.class, "costline-settings");
        int partitions = Integer.parseInt(settings.getData().get("COSTLINE_TOPICS_PARTITIONS"));
        assertThat(streams.getSpec().getReplicas()).isBetween(1, partitions);
        String stateMount = streams.getSpec().getTemplate().getSpec().getContainers().get(0).getVolumeMounts()
                .stream().filter(m -> m.getName().equals("state")).findFirst().orElseThrow().getMountPath();
        assertThat(settings.getData().get("COSTLINE_STREAMS_STATE_DIR")).startsWith(stateMount + "/");
        // no secret in the ConfigMap
        assertThat(settings.getData().keySet()).noneMatch(k -> k.contains("TOKEN") || k.contains("PASSWORD")
                || k.contains("JAAS"));
        Deployment sink = one(objects, Deployment.class, "costline-sink");
        assertThat(sink.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .anyMatch(e -> e.getName().equals("COSTLINE_INFLUX_TOKEN")
                        && e.getValueFrom().getSecretKeyRef().getName().equals("costline-influx"));

        if (overlay.equals("dev")) {
            assertThat(streams.getSpec().getReplicas()).isEqualTo(1);
            assertThat(sink.getSpec().getReplicas()).isEqualTo(1);
            assertThat(settings.getData()).doesNotContainKey("COSTLINE_KAFKA_SECURITY_PROTOCOL");
            assertThat(objects).noneMatch(o -> o instanceof PodDisruptionBudget);
        } else {
            assertThat(streams.getSpec().getReplicas()).isGreaterThan(1);
            assertThat(sink.getSpec().getReplicas()).isGreaterThan(1);
            assertThat(settings.getData()).containsEntry("COSTLINE_KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
            for (String name : List.of("costline-streams", "costline-sink")) {
                PodDisruptionBudget pdb = one(objects, PodDisruptionBudget.class, name);
                assertThat(pdb.getSpec().getSelector().getMatchLabels())
                        .containsEntry("app.kubernetes.io/name", name);
            }
            // every Kafka client gets the JAAS config from the Secret, never from the ConfigMap
            for (HasMetadata o : objects) {
                PodSpec spec = podSpec(o);
                if (spec != null) {
                    assertThat(spec.getContainers().get(0).getEnv()).as("JAAS of %s", o.getMetadata().getName())
                            .anyMatch(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null
                                    && e.getValueFrom().getSecretKeyRef().getKey().equals("sasl.jaas.config"));
                }
            }
            assertThat(collector.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                    .contains("--producer-property=security.protocol=SASL_SSL");
        }
    }

    /** The optional Strimzi topics: every costline topic, with its cleanup policy, through an overlay that adds it. */
    @Test
    @SuppressWarnings("unchecked")
    void theStrimziComponentDeclaresEveryTopicWithItsCleanupPolicy() throws Exception {
        // kustomize takes relative paths only: an overlay under target/ that adds the component to dev
        Path dir = Files.createDirectories(Path.of("target", "strimzi-overlay").toAbsolutePath());
        Files.writeString(dir.resolve("kustomization.yaml"), String.join("\n",
                "apiVersion: kustomize.config.k8s.io/v1beta1",
                "kind: Kustomization",
                "resources: [\"" + dir.relativize(DEPLOY.resolve("overlays/dev")) + "\"]",
                "components: [\"" + dir.relativize(DEPLOY.resolve("components/strimzi-topics")) + "\"]", ""));
        List<HasMetadata> objects = parse(render(dir));
        Map<String, String> policies = new java.util.TreeMap<>();
        for (HasMetadata o : objects) {
            if (o instanceof GenericKubernetesResource r && r.getKind().equals("KafkaTopic")) {
                assertThat(r.getApiVersion()).isEqualTo("kafka.strimzi.io/v1beta2");
                Map<String, Object> spec = (Map<String, Object>) r.getAdditionalProperties().get("spec");
                Map<String, Object> config = (Map<String, Object>) spec.get("config");
                assertThat((Integer) spec.get("partitions")).isPositive();
                policies.put((String) spec.get("topicName"), (String) config.get("cleanup.policy"));
            }
        }
        assertThat(policies).containsEntry(Topics.GPU_SAMPLES, "delete").containsEntry(Topics.GPU_PRICES, "compact")
                .containsEntry(Topics.GPU_COST, "delete").containsEntry(Topics.GPU_BREAKEVEN, "compact")
                .containsEntry(Topics.GPU_ROLLUP_MONTHLY, "compact").containsEntry(Topics.GPU_ALERTS, "delete")
                .containsEntry(Topics.GPU_DRIFT, "delete").containsEntry(Topics.GPU_SAMPLES_DLQ, "delete")
                .containsKeys("gpu.finance.dlq", "gpu.sink.dlq");
    }

    @Test
    void theImageIsLabelledWithTheProjectVersion() throws IOException {
        String dockerfile = Files.readString(DEPLOY.getParent().getParent().resolve("Dockerfile"));
        assertThat(dockerfile).contains("ARG COSTLINE_VERSION=" + VERSION + "\n");
        String base = Files.readString(DEPLOY.resolve("base/kustomization.yaml"));
        assertThat(base).contains("newTag: " + VERSION + "\n");
    }

    @Test
    void unknownFieldsAreCaught() {
        String misspelt = """
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                    - name: c
                      image: busybox:1.36
                      securityContext: {readOnlyRootFileSystem: true}
                """;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse(misspelt))
                .hasMessageContaining("readOnlyRootFileSystem");
    }
}
