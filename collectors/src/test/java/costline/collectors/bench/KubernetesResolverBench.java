package costline.collectors.bench;

import costline.collectors.attribution.AttributionSettings;
import costline.collectors.attribution.ChildProcesses;
import costline.collectors.kubernetes.FakeKubelet;
import costline.collectors.kubernetes.KubernetesSettings;
import costline.collectors.kubernetes.PodResourcesClient;
import costline.collectors.nvml.FakeNvml;
import costline.collectors.nvml.NvmlCollector;
import costline.collectors.nvml.NvmlReader;
import costline.collectors.nvml.NvmlSettings;
import costline.events.GpuSample;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CPU per GPU sample of the NVML collector with the Kubernetes resolver first in its chain, beside the same
 * collector without it, in the same run, over the same GPUs: the fake libnvidia-ml.so.1 (N GPUs, two processes on
 * each, real child processes read through the real /proc) and a real PodResources gRPC server on a unix socket.
 * Half the GPUs are held whole by one pod, half are time-sliced by two pods (replicas {@code <uuid>::0} and
 * {@code ::1}, the processes told apart by their HOSTNAME) with per-process SM use to split by.
 *
 * <p>Steady state: the rounds run back to back after a warm-up, alternating blocks of the two collectors, and the
 * figure is the sampling thread's CPU. The kubelet is listed in the background every --kubelet-refresh (30 s); the
 * CPU of one list is measured apart and spread over the samples of one refresh at one round a second.
 *
 * <pre>args: [--gpus N] [--rounds N] [--blocks N]</pre>
 */
public final class KubernetesResolverBench {

    /** CPU of the PodResources client's event loop threads (named kubelet-podresources), nanoseconds. */
    private static long clientLoopCpu(ThreadMXBean threads) {
        long sum = 0;
        for (java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null && t.getThreadName().equals("kubelet-podresources")) {
                sum += Math.max(0, threads.getThreadCpuTime(t.getThreadId()));
            }
        }
        return sum;
    }

    public static void main(String[] args) throws Exception {
        int gpus = 8;
        int rounds = 20_000;
        int blocks = 10;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--gpus" -> gpus = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--blocks" -> blocks = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        System.out.printf(Locale.ROOT, "machine: %d cpus, %s %s, java %s, load average %.2f%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.arch"), System.getProperty("java.version"),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        FakeNvml.Control c = FakeNvml.reset(gpus);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (ChildProcesses children = new ChildProcesses();
             FakeKubelet kubelet = new FakeKubelet(FakeKubelet.socketPath()).start()) {
            long now = System.currentTimeMillis() * 1000;
            for (int g = 0; g < gpus; g++) {
                String uuid = String.format(Locale.ROOT, "GPU-00000000-0000-0000-0000-00000000000%d", g);
                String a = "train-" + g + "-a";
                String b = "train-" + g + "-b";
                int pa = children.start(Map.of("HOSTNAME", a));
                int pb = children.start(Map.of("HOSTNAME", b));
                c.fake_add_process(g, pa, 40L << 30);
                c.fake_add_process(g, pb, 20L << 30);
                // per-process SM samples far in the future, so every round finds them (70/30)
                c.fake_add_process_util(g, pa, 70, now + 3_600_000_000L);
                c.fake_add_process_util(g, pb, 30, now + 3_600_000_000L);
                FakeNvml.set(g, "util_gpu", 97);
                if (g % 2 == 0) {
                    kubelet.pod("ml", a, "nvidia.com/gpu", uuid); // whole GPU: both processes are this pod's
                } else {
                    kubelet.pod("ml", a, "nvidia.com/gpu", uuid + "::0").pod("ml", b, "nvidia.com/gpu", uuid + "::1");
                }
            }
            System.out.printf(Locale.ROOT, "GPUs: %d (fake), 2 processes each; half held whole by one pod, half "
                    + "time-sliced by two%n", gpus);

            NvmlSettings nvml = new NvmlSettings(FakeNvml.path(), Duration.ofSeconds(1), Duration.ofDays(1),
                    Duration.ofDays(1), "bench-host");
            KubernetesSettings k8s = new KubernetesSettings(KubernetesSettings.Mode.ON, kubelet.socket(),
                    Duration.ofSeconds(2), KubernetesSettings.DEFAULT_REFRESH, KubernetesSettings.ApiMode.OFF,
                    "bench-host", KubernetesSettings.DEFAULT_WORKLOAD_KEYS, KubernetesSettings.DEFAULT_TEAM_KEYS);
            AttributionSettings on = new AttributionSettings(AttributionSettings.DEFAULT_CHAIN,
                    AttributionSettings.DEFAULT_WORKLOAD_KEYS, AttributionSettings.DEFAULT_TEAM_KEYS, null,
                    Path.of("/proc"), k8s);
            AttributionSettings off = new AttributionSettings(List.of("env", "cgroup", "map"),
                    AttributionSettings.DEFAULT_WORKLOAD_KEYS, AttributionSettings.DEFAULT_TEAM_KEYS, null,
                    Path.of("/proc"), k8s);
            try (NvmlCollector withK8s = new NvmlCollector(NvmlReader.open(nvml.library()), on.build("bench-host"),
                    nvml);
                 NvmlCollector without = new NvmlCollector(NvmlReader.open(nvml.library()), off.build("bench-host"),
                         nvml)) {
                GpuSample check = withK8s.pollOnce().get(1);
                System.out.println("a time-sliced GPU's shares with the resolver: " + check.getWorkloads().stream()
                        .map(w -> w.getNamespace() + "/" + w.getPod() + "=" + w.getShare()).toList());
                for (int i = 0; i < 3_000; i++) { // warm-up: JIT, caches
                    withK8s.pollOnce();
                    without.pollOnce();
                }
                long[] cpu = new long[2];
                long[] samples = new long[2];
                int perBlock = Math.max(1, rounds / blocks);
                for (int block = 0; block < blocks; block++) {
                    for (int which = 0; which < 2; which++) {
                        NvmlCollector collector = which == 0 ? withK8s : without;
                        long cpu0 = threads.getCurrentThreadCpuTime();
                        for (int i = 0; i < perBlock; i++) {
                            samples[which] += collector.pollOnce().size();
                        }
                        cpu[which] += threads.getCurrentThreadCpuTime() - cpu0;
                    }
                }
                double onUs = cpu[0] / 1e3 / samples[0];
                double offUs = cpu[1] / 1e3 / samples[1];
                System.out.printf(Locale.ROOT, "resolver off (env,cgroup,map): %.2f us CPU per GPU sample (%d samples)%n",
                        offUs, samples[1]);
                System.out.printf(Locale.ROOT, "resolver on (kubernetes,env,cgroup,map): %.2f us CPU per GPU sample "
                        + "(%d samples)%n", onUs, samples[0]);

                // The background list, on this thread: what one refresh costs the collector's process (client side)
                double listUs;
                try (PodResourcesClient client = new PodResourcesClient(kubelet.socket(), Duration.ofSeconds(2))) {
                    for (int i = 0; i < 200; i++) {
                        client.list();
                    }
                    int lists = 1_000;
                    // the client's side of a call: this thread (a blocking stub runs the call here) and the
                    // channel's event loop thread; the fake kubelet's own threads are the server's, not counted
                    long cpu0 = threads.getCurrentThreadCpuTime() + clientLoopCpu(threads);
                    for (int i = 0; i < lists; i++) {
                        client.list();
                    }
                    listUs = (threads.getCurrentThreadCpuTime() + clientLoopCpu(threads) - cpu0) / 1e3 / lists;
                }
                double perSampleRefresh = listUs / (gpus * KubernetesSettings.DEFAULT_REFRESH.toSeconds());
                System.out.printf(Locale.ROOT, "one PodResources List (%d pods): %.1f us CPU on the client (calling thread + event loop); "
                        + "every %d s at one round a second over %d GPUs: %.2f us per GPU sample%n",
                        gpus + gpus / 2, listUs, KubernetesSettings.DEFAULT_REFRESH.toSeconds(), gpus, perSampleRefresh);
                double added = onUs - offUs + perSampleRefresh;
                System.out.printf(Locale.ROOT, "resolver adds at steady state: %.2f us CPU per GPU sample (goal: under "
                        + "10 us)%n", added);
                System.out.printf(Locale.ROOT, "kubernetes: %.2f us collector CPU per GPU sample with the resolver "
                        + "(%.3f of %.2f us without it)%n", onUs + perSampleRefresh,
                        (onUs + perSampleRefresh) / offUs, offUs);
            }
        }
    }
}
