package costline.collectors.nvml;

import static org.assertj.core.api.Assertions.assertThat;

import costline.collectors.SampleJson;
import costline.collectors.attribution.AttributionSettings;
import costline.collectors.attribution.ChildProcesses;
import costline.events.GpuSample;
import costline.events.WorkloadShare;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The whole collector: fake NVML -> reader -> attribution on real /proc -> samples. */
class NvmlCollectorTest {

    private static NvmlCollector collector(Duration interval, Duration energyInterval) {
        NvmlSettings settings = new NvmlSettings(FakeNvml.path(), interval, energyInterval, energyInterval, "node-7");
        return new NvmlCollector(NvmlReader.open(settings.library()), AttributionSettings.defaults().build("node-7"),
                settings);
    }

    @Test
    void oneSamplePerGpuWithWorkloadsAttributedFromTheProcessesEnvironment() {
        FakeNvml.Control c = FakeNvml.reset(2);
        try (ChildProcesses children = new ChildProcesses();
             NvmlCollector collector = collector(Duration.ofSeconds(1), Duration.ofSeconds(10))) {
            int train = children.start(Map.of("COSTLINE_WORKLOAD", "llm-pretrain", "COSTLINE_TEAM", "ml"));
            int infer = children.start(Map.of("SLURM_JOB_NAME", "eval", "SLURM_JOB_ACCOUNT", "research"));
            c.fake_add_process(0, train, 60L << 30);
            c.fake_add_process(0, infer, 20L << 30);
            long now = System.currentTimeMillis() * 1000;
            c.fake_add_process_util(0, train, 90, now);
            c.fake_add_process_util(0, infer, 30, now);
            FakeNvml.set(0, "util_gpu", 100);

            List<GpuSample> samples = collector.pollOnce();
            assertThat(samples).hasSize(2);
            GpuSample busy = samples.get(0);
            assertThat(busy.getHost()).isEqualTo("node-7");
            assertThat(busy.getGpuId()).isEqualTo("GPU-00000000-0000-0000-0000-000000000000");
            assertThat(busy.getIntervalMs()).isEqualTo(1000);
            assertThat(busy.getWorkloads()).containsExactly(
                    new WorkloadShare("eval", "research", 0.25f, infer, null, null),
                    new WorkloadShare("llm-pretrain", "ml", 0.75f, train, null, null));
            assertThat(samples.get(1).getWorkloads()).containsExactly(new WorkloadShare("unallocated", null, 1f, null, null, null));

            String json = SampleJson.write(busy);
            assertThat(json).contains("\"gpu_id\":\"GPU-00000000-0000-0000-0000-000000000000\"")
                    .contains("\"util_gpu_pct\":100.0").contains("\"workload\":\"llm-pretrain\"")
                    .contains("\"cloud\":null").contains("\"source\":\"NVML\"");
        }
    }

    @Test
    void theEnergyCounterIsReadOnItsOwnSlowerCadence() throws Exception {
        FakeNvml.Control c = FakeNvml.reset(3);
        try (NvmlCollector collector = collector(Duration.ofMillis(50), Duration.ofMillis(400))) {
            List<GpuSample> got = new CopyOnWriteArrayList<>();
            Thread runner = new Thread(() -> {
                try {
                    collector.run(got::add);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            runner.start();
            long deadline = System.currentTimeMillis() + 10_000;
            while (got.size() < 3 * 20 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            collector.stop();
            runner.join(5_000);
            int rounds = got.size() / 3;
            assertThat(rounds).isGreaterThanOrEqualTo(20);
            long withEnergy = got.stream().filter(s -> s.getEnergyCounterMj() != null).count();
            // About one round in eight reads the counter (400 ms / 50 ms); allow for a loaded machine.
            assertThat(withEnergy).isGreaterThanOrEqualTo(3).isLessThanOrEqualTo((long) (rounds / 2) * 3);
            assertThat(c.fake_calls("nvmlDeviceGetTotalEnergyConsumption")).isEqualTo(withEnergy);
            assertThat(got.get(0).getEnergyCounterMj()).isEqualTo(1_000_000L);
            // Every later sample covers the time since its GPU's previous one.
            assertThat(got.subList(3, got.size())).allSatisfy(s -> assertThat(s.getIntervalMs()).isBetween(1L, 5_000L));
        }
    }
}
