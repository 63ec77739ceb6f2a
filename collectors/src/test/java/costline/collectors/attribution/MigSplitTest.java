package costline.collectors.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.WorkloadShare;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The attributor's MIG split over a scripted resolver of device holders (no NVML, no kubelet). */
class MigSplitTest {

    static final String GPU = "GPU-1";
    static final String MIG_A = "MIG-a";
    static final String MIG_B = "MIG-b";

    /** A resolver naming every process by pid and the holders of MIG_B. */
    static Attributor attributor() {
        WorkloadResolver scripted = new WorkloadResolver() {
            @Override
            public String name() {
                return "scripted";
            }

            @Override
            public Optional<Workload> resolve(int pid, String device) {
                return Optional.of(new Workload("w" + pid + "@" + device, null));
            }

            @Override
            public List<Workload> holders(String device) {
                return device.equals(MIG_B) ? List.of(new Workload("idle-holder", "t")) : List.of();
            }
        };
        return new Attributor(new ResolverChain(List.of(scripted), Path.of("/proc")));
    }

    static Map<String, Float> shares(List<WorkloadShare> shares) {
        return shares.stream().collect(java.util.stream.Collectors.toMap(WorkloadShare::getWorkload,
                WorkloadShare::getShare));
    }

    @Test
    void aSharedInstanceIsSplitByUseInsideItsSlices() {
        // 3g instance (3 of 7 slices) shared by two processes holding 3 GiB and 1 GiB; 2g instance idle, held
        List<GpuProcess> processes = List.of(new GpuProcess(10, 3L << 30, null, 1, 0),
                new GpuProcess(11, 1L << 30, null, 1, 0));
        GpuView gpu = new GpuView(GPU, processes, List.of(new GpuView.MigSlice(MIG_A, 1, 0, 3),
                new GpuView.MigSlice(MIG_B, 2, 0, 2)), 7);
        // 3/7 x 3/4 = 0.321429, 3/7 x 1/4 = 0.107143, 2/7 = 0.285714, free 2/7 = 0.285714
        assertThat(shares(attributor().attribute(gpu))).containsExactlyInAnyOrderEntriesOf(Map.of(
                "w10@MIG-a", 0.321429f, "w11@MIG-a", 0.107143f, "idle-holder", 0.285714f, "unallocated", 0.285714f));
    }

    @Test
    void unknownSlicesSplitTheGpuEquallyBetweenItsInstances() {
        GpuView gpu = new GpuView(GPU, List.of(new GpuProcess(10, 1L << 30, null, 1, 0)),
                List.of(new GpuView.MigSlice(MIG_A, 1, 0, null), new GpuView.MigSlice(MIG_B, 2, 0, 2)), 7);
        assertThat(shares(attributor().attribute(gpu))).containsExactlyInAnyOrderEntriesOf(Map.of(
                "w10@MIG-a", 0.5f, "idle-holder", 0.5f));
    }

    @Test
    void aWholeGpuWithoutProcessesGoesToItsHoldersOrIsUnallocated() {
        assertThat(shares(attributor().attribute(GPU, List.of()))).containsExactly(Map.entry("unallocated", 1f));
        assertThat(shares(attributor().attribute(MIG_B, List.of()))).containsExactly(Map.entry("idle-holder", 1f));
    }
}
