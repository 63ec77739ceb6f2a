package costline.collectors.attribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import costline.events.WorkloadShare;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The resolver chain on real processes, the static map file, and the share split. */
class AttributionChainTest {

    @TempDir
    Path dir;

    private Attributor attributor(Path mapFile) {
        return new AttributionSettings(AttributionSettings.DEFAULT_CHAIN, AttributionSettings.DEFAULT_WORKLOAD_KEYS,
                AttributionSettings.DEFAULT_TEAM_KEYS, mapFile, Path.of("/proc")).build("node-7");
    }

    @Test
    void theFirstResolverThatAnswersWinsAndTheMapFileCatchesTheRest() throws Exception {
        Path map = Files.writeString(dir.resolve("map.txt"), """
                # dedicated GPUs
                GPU-dedicated-0   inference-prod   serving
                node-7            shared-pool      platform   # the rest of this host
                other-node        elsewhere
                """);
        Attributor attributor = attributor(map);
        try (ChildProcesses children = new ChildProcesses()) {
            int tagged = children.start(Map.of("COSTLINE_WORKLOAD", "llm-pretrain", "COSTLINE_TEAM", "ml"));
            int untagged = children.start(Map.of());
            ResolverChain chain = attributor.chain();
            assertThat(chain.resolve(tagged, "GPU-dedicated-0")).isEqualTo(new Workload("llm-pretrain", "ml"));
            // This test runs in whatever cgroup the build runs in; the map only answers when the cgroup does not.
            Workload viaCgroup = CgroupResolver.fromCgroupFile(Files.readString(Path.of("/proc/" + untagged + "/cgroup")))
                    .orElse(null);
            assertThat(chain.resolve(untagged, "GPU-dedicated-0"))
                    .isEqualTo(viaCgroup != null ? viaCgroup : new Workload("inference-prod", "serving"));
            assertThat(chain.resolve(untagged, "GPU-other"))
                    .isEqualTo(viaCgroup != null ? viaCgroup : new Workload("shared-pool", "platform"));
        }
    }

    @Test
    void aProcessNoResolverNamesIsUnattributed() {
        Attributor attributor = new AttributionSettings(List.of("env"), AttributionSettings.DEFAULT_WORKLOAD_KEYS,
                AttributionSettings.DEFAULT_TEAM_KEYS, null, Path.of("/proc")).build("node-7");
        try (ChildProcesses children = new ChildProcesses()) {
            int pid = children.start(Map.of());
            assertThat(attributor.attribute("GPU-0", List.of(new GpuProcess(pid, 100L, null))))
                    .containsExactly(new WorkloadShare(Workload.UNATTRIBUTED, null, 1.0f, pid, null, null));
        }
    }

    @Test
    void sharesSplitBySmUtilizationElseMemoryElseEquallyAndMergePerWorkload() {
        Attributor attributor = attributor(null);
        try (ChildProcesses children = new ChildProcesses()) {
            int a1 = children.start(Map.of("COSTLINE_WORKLOAD", "a", "COSTLINE_TEAM", "t"));
            int a2 = children.start(Map.of("COSTLINE_WORKLOAD", "a", "COSTLINE_TEAM", "t"));
            int b = children.start(Map.of("COSTLINE_WORKLOAD", "b"));

            List<GpuProcess> bySm = List.of(new GpuProcess(a1, 1000L, 30.0), new GpuProcess(a2, 1000L, 30.0),
                    new GpuProcess(b, 6000L, 20.0));
            assertThat(Attributor.basis(bySm)).isEqualTo(Attributor.Basis.SM_UTILIZATION);
            assertThat(attributor.attribute("GPU-0", bySm)).containsExactly(
                    new WorkloadShare("a", "t", 0.75f, null, null, null), new WorkloadShare("b", null, 0.25f, b, null, null));

            // Idle processes (no SM samples): used memory decides.
            List<GpuProcess> byMemory = List.of(new GpuProcess(a1, 1000L, 0.0), new GpuProcess(b, 3000L, 0.0));
            assertThat(Attributor.basis(byMemory)).isEqualTo(Attributor.Basis.USED_MEMORY);
            assertThat(attributor.attribute("GPU-0", byMemory)).containsExactly(
                    new WorkloadShare("a", "t", 0.25f, a1, null, null), new WorkloadShare("b", null, 0.75f, b, null, null));

            // Neither known: equal parts.
            List<GpuProcess> equal = List.of(new GpuProcess(a1, null, null), new GpuProcess(b, 5000L, null));
            assertThat(Attributor.basis(equal)).isEqualTo(Attributor.Basis.EQUAL);
            assertThat(attributor.attribute("GPU-0", equal)).containsExactly(
                    new WorkloadShare("a", "t", 0.5f, a1, null, null), new WorkloadShare("b", null, 0.5f, b, null, null));

            List<WorkloadShare> three = attributor.attribute("GPU-0", List.of(new GpuProcess(a1, 1L, null),
                    new GpuProcess(b, 1L, null), new GpuProcess(children.start(Map.of("COSTLINE_WORKLOAD", "c")), 1L,
                            null)));
            assertThat(three.stream().mapToDouble(WorkloadShare::getShare).sum()).isCloseTo(1.0,
                    org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void aGpuWithNoProcessIsUnallocated() {
        assertThat(attributor(null).attribute("GPU-0", List.of()))
                .containsExactly(new WorkloadShare(Workload.UNALLOCATED, null, 1.0f, null, null, null));
    }

    @Test
    void badSettingsAndBadMapLinesStopStartUpNamingTheKey() throws Exception {
        assertThatThrownBy(() -> new AttributionSettings(List.of("env", "ldap"), List.of("X"), List.of(), null,
                Path.of("/proc"))).hasMessageContaining("--attribution-chain").hasMessageContaining("ldap");
        assertThatThrownBy(() -> new AttributionSettings(List.of("env"), List.of(), List.of(), null, Path.of("/proc")))
                .hasMessageContaining("--workload-env");
        assertThatThrownBy(() -> new AttributionSettings(List.of("env"), List.of("X"), List.of(),
                dir.resolve("missing.txt"), Path.of("/proc"))).hasMessageContaining("--attribution-map-file");
        Path bad = Files.writeString(dir.resolve("bad.txt"), "GPU-1 a t\nGPU-2\n");
        assertThatThrownBy(() -> attributor(bad)).hasMessageContaining("line 2").hasMessageContaining(bad.toString());
    }
}
