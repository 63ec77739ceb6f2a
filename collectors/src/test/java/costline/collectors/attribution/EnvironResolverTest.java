package costline.collectors.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Workload and team read back from real child processes' /proc/&lt;pid&gt;/environ. */
class EnvironResolverTest {

    private final EnvironResolver resolver = new EnvironResolver(Path.of("/proc"),
            AttributionSettings.DEFAULT_WORKLOAD_KEYS, AttributionSettings.DEFAULT_TEAM_KEYS);

    @Test
    void readsCostlineKubernetesAndSlurmVariablesInKeyOrder() {
        try (ChildProcesses children = new ChildProcesses()) {
            int costline = children.start(Map.of("COSTLINE_WORKLOAD", "llm-pretrain", "COSTLINE_TEAM", "ml-platform",
                    "POD_NAME", "ignored-pod", "POD_NAMESPACE", "ignored-ns"));
            int pod = children.start(Map.of("POD_NAME", "trainer-0", "POD_NAMESPACE", "research"));
            int slurm = children.start(Map.of("SLURM_JOB_NAME", "bert-sweep", "SLURM_JOB_ACCOUNT", "nlp",
                    "SLURM_JOB_ID", "4711"));
            int workloadOnly = children.start(Map.of("COSTLINE_WORKLOAD", "batch-infer"));
            int none = children.start(Map.of("HOME", "/tmp"));

            assertThat(resolver.resolve(costline, "GPU-x")).contains(new Workload("llm-pretrain", "ml-platform"));
            assertThat(resolver.resolve(pod, "GPU-x")).contains(new Workload("trainer-0", "research"));
            assertThat(resolver.resolve(slurm, "GPU-x")).contains(new Workload("bert-sweep", "nlp"));
            assertThat(resolver.resolve(workloadOnly, "GPU-x")).contains(new Workload("batch-infer", null));
            assertThat(resolver.resolve(none, "GPU-x")).isEmpty();
        }
    }

    @Test
    void keysAreConfigurable() {
        EnvironResolver custom = new EnvironResolver(Path.of("/proc"), java.util.List.of("APP_LABEL"),
                java.util.List.of("COST_CENTER"));
        try (ChildProcesses children = new ChildProcesses()) {
            int pid = children.start(Map.of("APP_LABEL", "recsys", "COST_CENTER", "cc-17", "COSTLINE_WORKLOAD", "x"));
            assertThat(custom.resolve(pid, "GPU-x")).contains(new Workload("recsys", "cc-17"));
        }
    }

    @Test
    void anExitedProcessResolvesToNothing() {
        assertThat(resolver.resolve(Integer.MAX_VALUE - 1, "GPU-x")).isEqualTo(Optional.empty());
    }
}
