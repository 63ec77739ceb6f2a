package costline.collectors.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import costline.collectors.attribution.AttributionSettings;
import costline.collectors.attribution.ChildProcesses;
import costline.collectors.nvml.FakeNvml;
import costline.collectors.nvml.NvmlCollector;
import costline.collectors.nvml.NvmlReader;
import costline.collectors.nvml.NvmlSettings;
import costline.events.GpuSample;
import costline.events.WorkloadShare;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The NVML collector with the Kubernetes resolver first in its chain, against a real gRPC PodResources server on a
 * unix socket and the fake libnvidia-ml; the GPU processes are real child processes, read through the real /proc.
 */
class KubeletAttributionTest {

    static final String GPU0 = "GPU-00000000-0000-0000-0000-000000000000";
    static final String GPU1 = "GPU-00000000-0000-0000-0000-000000000001";
    static final String GPU2 = "GPU-00000000-0000-0000-0000-000000000002";

    static NvmlCollector collector(Path socket, KubernetesSettings.Mode mode, Duration timeout) {
        return collector(socket, mode, timeout, Duration.ofSeconds(30));
    }

    static NvmlCollector collector(Path socket, KubernetesSettings.Mode mode, Duration timeout, Duration refresh) {
        NvmlSettings nvml = new NvmlSettings(FakeNvml.path(), Duration.ofSeconds(1), Duration.ofSeconds(10),
                Duration.ofSeconds(10), "gpu-node-1");
        KubernetesSettings k8s = new KubernetesSettings(mode, socket, timeout, refresh,
                KubernetesSettings.ApiMode.OFF, "gpu-node-1", KubernetesSettings.DEFAULT_WORKLOAD_KEYS,
                KubernetesSettings.DEFAULT_TEAM_KEYS);
        AttributionSettings attribution = new AttributionSettings(AttributionSettings.DEFAULT_CHAIN,
                AttributionSettings.DEFAULT_WORKLOAD_KEYS, AttributionSettings.DEFAULT_TEAM_KEYS, null, Path.of("/proc"),
                k8s);
        return new NvmlCollector(NvmlReader.open(nvml.library()), attribution.build("gpu-node-1"), nvml);
    }

    static WorkloadShare share(String workload, String team, float share, Integer pid, String ns, String pod) {
        return new WorkloadShare(workload, team, share, pid, ns, pod);
    }

    static void assertSumsToOne(GpuSample s) {
        double sum = s.getWorkloads().stream().mapToDouble(WorkloadShare::getShare).sum();
        assertThat(sum).as("shares of %s", s.getGpuId()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void exclusiveGpusGoToTheirPodsIdleOnesTooAndAGpuNoPodHoldsIsUnallocated() throws Exception {
        FakeNvml.Control c = FakeNvml.reset(3);
        try (FakeKubelet kubelet = new FakeKubelet(FakeKubelet.socketPath()).start();
             ChildProcesses children = new ChildProcesses()) {
            // a Deployment's pod (hash + suffix) runs on GPU0; a StatefulSet's pod holds GPU1 and runs nothing
            kubelet.pod("ml", "llm-train-7d9c8b6f5-x2bq4", "nvidia.com/gpu", GPU0)
                    .pod("serving", "ranker-0", "nvidia.com/gpu", GPU1)
                    .plainPod("kube-system", "coredns-5d78c9869d-abcde");
            int train = children.start(Map.of("HOSTNAME", "llm-train-7d9c8b6f5-x2bq4"));
            c.fake_add_process(0, train, 40L << 30);
            try (NvmlCollector collector = collector(kubelet.socket(), KubernetesSettings.Mode.AUTO,
                    Duration.ofSeconds(2))) {
                List<GpuSample> samples = collector.pollOnce();
                // no API server: workload = <namespace>/<owner read from the pod name>, team = namespace
                assertThat(samples.get(0).getWorkloads()).containsExactly(
                        share("ml/llm-train", "ml", 1f, train, "ml", "llm-train-7d9c8b6f5-x2bq4"));
                assertThat(samples.get(1).getWorkloads()).containsExactly(
                        share("serving/ranker", "serving", 1f, null, "serving", "ranker-0"));
                assertThat(samples.get(2).getWorkloads()).containsExactly(
                        share("unallocated", null, 1f, null, null, null));
                samples.forEach(KubeletAttributionTest::assertSumsToOne);
            }
        }
    }

    /**
     * The comparison run: two pods time-slice GPU0 (device plugin replicas GPU0::0 and GPU0::1) at 70 % and 30 % SM
     * use. costline gives them 0.7 and 0.3 of the GPU, so of a GPU-hour at $2.00 they pay $1.40 and $0.60; an
     * exporter that repeats the device's value for every pod sharing it would charge each the whole $2.00.
     */
    @Test
    void podsTimeSlicingOneGpuAt70And30SmUseGet70And30PercentOfIt() throws Exception {
        FakeNvml.Control c = FakeNvml.reset(1);
        try (FakeKubelet kubelet = new FakeKubelet(FakeKubelet.socketPath()).start();
             ChildProcesses children = new ChildProcesses()) {
            kubelet.pod("research", "notebook-a", "nvidia.com/gpu", GPU0 + "::0")
                    .pod("research", "notebook-b", "nvidia.com/gpu", GPU0 + "::1");
            int a = children.start(Map.of("HOSTNAME", "notebook-a"));
            int b = children.start(Map.of("HOSTNAME", "notebook-b"));
            c.fake_add_process(0, a, 30L << 30);
            c.fake_add_process(0, b, 30L << 30);
            long now = System.currentTimeMillis() * 1000;
            c.fake_add_process_util(0, a, 70, now);
            c.fake_add_process_util(0, b, 30, now);
            FakeNvml.set(0, "util_gpu", 100);
            try (NvmlCollector collector = collector(kubelet.socket(), KubernetesSettings.Mode.AUTO,
                    Duration.ofSeconds(2))) {
                GpuSample s = collector.pollOnce().get(0);
                assertThat(s.getWorkloads()).containsExactly(
                        share("research/notebook-a", "research", 0.7f, a, "research", "notebook-a"),
                        share("research/notebook-b", "research", 0.3f, b, "research", "notebook-b"));
                assertSumsToOne(s);
                // $2.00/h = 2,000,000 micro-dollars for the GPU-hour: 0.7 -> 1,400,000; 0.3 -> 600,000
                long hour = 2_000_000L;
                assertThat(Math.round(hour * (double) s.getWorkloads().get(0).getShare())).isEqualTo(1_400_000L);
                assertThat(Math.round(hour * (double) s.getWorkloads().get(1).getShare())).isEqualTo(600_000L);
            }
        }
    }

    @Test
    void migInstancesCarryTheirSlicesOfTheGpuAndFreeSlicesAreUnallocated() throws Exception {
        FakeNvml.Control c = FakeNvml.reset(1);
        String migA = "MIG-aaaaaaaa-1111-2222-3333-444444444444";
        String migB = "MIG-bbbbbbbb-1111-2222-3333-444444444444";
        FakeNvml.set(0, "mig_mode", 1);
        FakeNvml.set(0, "mig_total_slices", 7);
        c.fake_add_mig(0, migA, 7, 0, 10L << 30, 2L << 30);
        c.fake_add_mig(0, migB, 3, 0, 20L << 30, 0);
        c.fake_set_mig_slices(0, migA, 1);
        c.fake_set_mig_slices(0, migB, 2);
        try (FakeKubelet kubelet = new FakeKubelet(FakeKubelet.socketPath()).start();
             ChildProcesses children = new ChildProcesses()) {
            // the mixed strategy: one resource per MIG profile
            kubelet.pod("ml", "tiny-infer-0", "nvidia.com/mig-1g.10gb", migA)
                    .pod("ml", "batch-embed-0", "nvidia.com/mig-2g.20gb", migB);
            int p = children.start(Map.of());
            c.fake_add_mig_process(0, p, 2L << 30, 7, 0);
            try (NvmlCollector collector = collector(kubelet.socket(), KubernetesSettings.Mode.AUTO,
                    Duration.ofSeconds(2))) {
                GpuSample s = collector.pollOnce().get(0);
                // 1g of 7 slices: 1/7 = 0.142857; the idle 2g instance is its pod's: 2/7 = 0.285714; 4 free slices
                // 4/7 = 0.571429 (millionths, largest remainder)
                assertThat(s.getWorkloads()).containsExactly(
                        share("ml/batch-embed", "ml", 0.285714f, null, "ml", "batch-embed-0"),
                        share("ml/tiny-infer", "ml", 0.142857f, p, "ml", "tiny-infer-0"),
                        share("unallocated", null, 0.571429f, null, null, null));
                assertSumsToOne(s);
            }
        }
    }

    @Test
    void aPodThatComesIsAttributedInTheRoundItAppearsAndFallsBackWhenItGoes() throws Exception {
        FakeNvml.Control c = FakeNvml.reset(1);
        try (FakeKubelet kubelet = new FakeKubelet(FakeKubelet.socketPath()).start();
             ChildProcesses children = new ChildProcesses();
             NvmlCollector collector = collector(kubelet.socket(), KubernetesSettings.Mode.AUTO,
                     Duration.ofSeconds(2), Duration.ofSeconds(1))) {
            assertThat(collector.pollOnce().get(0).getWorkloads()).extracting(WorkloadShare::getWorkload)
                    .containsExactly("unallocated");

            kubelet.pod("ml", "job-embed-q7v2k", "nvidia.com/gpu", GPU0);
            int pid = children.start(Map.of("HOSTNAME", "job-embed-q7v2k"));
            c.fake_add_process(0, pid, 1L << 30);
            Thread.sleep(1_100); // past the one-second gap between lists triggered by unknown devices
            assertThat(collector.pollOnce().get(0).getWorkloads()).containsExactly(
                    share("ml/job-embed", "ml", 1f, pid, "ml", "job-embed-q7v2k"));

            // the pod ends: its process is gone from the GPU, and the kubelet forgets it; the GPU stays charged to
            // the pod until the next list (--kubelet-refresh, 1 s here)
            kubelet.remove("ml", "job-embed-q7v2k");
            FakeNvml.reset(1);
            Thread.sleep(1_500);
            assertThat(collector.pollOnce().get(0).getWorkloads()).extracting(WorkloadShare::getWorkload)
                    .containsExactly("unallocated");
        }
    }

    @Test
    void aMissingSocketNeverStopsSamplingAndIsPickedUpOnceTheKubeletComes() throws Exception {
        FakeNvml.Control c = FakeNvml.reset(1);
        Path socket = FakeKubelet.socketPath();
        try (ChildProcesses children = new ChildProcesses();
             NvmlCollector collector = collector(socket, KubernetesSettings.Mode.ON, Duration.ofSeconds(2))) {
            int pid = children.start(Map.of("COSTLINE_WORKLOAD", "from-env"));
            c.fake_add_process(0, pid, 1L << 30);
            // the chain falls through to the environment
            assertThat(collector.pollOnce().get(0).getWorkloads()).extracting(WorkloadShare::getWorkload)
                    .containsExactly("from-env");
            try (FakeKubelet kubelet = new FakeKubelet(socket).start()) {
                kubelet.pod("ml", "train-0", "nvidia.com/gpu", GPU0);
                FakeNvml.reset(1);
                int second = children.start(Map.of());
                c.fake_add_process(0, second, 1L << 30);
                Thread.sleep(1_100); // past the one-second gap between lists triggered by unknown devices
                assertThat(collector.pollOnce().get(0).getWorkloads()).extracting(WorkloadShare::getWorkload)
                        .containsExactly("ml/train");
            }
        }
    }

    @Test
    void aSlowKubeletCostsARoundAtMostTheWaitAndTheChainFallsThrough() throws Exception {
        FakeNvml.Control c = FakeNvml.reset(1);
        try (FakeKubelet kubelet = new FakeKubelet(FakeKubelet.socketPath()).start();
             ChildProcesses children = new ChildProcesses()) {
            kubelet.pod("ml", "train-0", "nvidia.com/gpu", GPU1);
            kubelet.delay(10_000);
            int pid = children.start(Map.of("COSTLINE_WORKLOAD", "from-env"));
            c.fake_add_process(0, pid, 1L << 30);
            long start = System.nanoTime();
            try (NvmlCollector collector = collector(kubelet.socket(), KubernetesSettings.Mode.AUTO,
                    Duration.ofMillis(300))) {
                for (int round = 0; round < 3; round++) {
                    long t0 = System.nanoTime();
                    assertThat(collector.pollOnce().get(0).getWorkloads()).extracting(WorkloadShare::getWorkload)
                            .containsExactly("from-env");
                    // a round waits for a list only when it triggers one, and then at most 100 ms; the bound leaves
                    // room for the first round's class loading on a loaded machine, and is far below the 10 s
                    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(2_500));
                }
            }
            // start-up waited for the first list's 300 ms deadline (and GetAllocatableResources's), not 10 s
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
        }
    }

    @Test
    void aSocketAnsweringGarbageIsTreatedAsUnavailable() throws Exception {
        FakeNvml.Control c = FakeNvml.reset(1);
        try (FakeKubelet kubelet = new FakeKubelet(FakeKubelet.socketPath()).garbage();
             ChildProcesses children = new ChildProcesses();
             NvmlCollector collector = collector(kubelet.socket(), KubernetesSettings.Mode.AUTO,
                     Duration.ofSeconds(1))) {
            int pid = children.start(Map.of("COSTLINE_WORKLOAD", "from-env"));
            c.fake_add_process(0, pid, 1L << 30);
            assertThat(collector.pollOnce().get(0).getWorkloads()).extracting(WorkloadShare::getWorkload)
                    .containsExactly("from-env");
        }
    }
}
