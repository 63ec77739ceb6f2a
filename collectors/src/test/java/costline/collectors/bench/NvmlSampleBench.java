package costline.collectors.bench;

import costline.collectors.attribution.AttributionSettings;
import costline.collectors.nvml.FakeNvml;
import costline.collectors.nvml.NvmlCollector;
import costline.collectors.nvml.NvmlReader;
import costline.collectors.nvml.NvmlSettings;
import costline.events.GpuSample;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * CPU time per GPU sample of the NVML collector (reading + attribution + building the GpuSample, without the energy
 * counter), next to the cost of exec'ing a process, which is what a collector that runs nvidia-smi pays per call.
 *
 * <pre>
 * args: [--library fake|PATH] [--gpus N (fake only)] [--rounds N] [--execs N] [--exec "CMD ARGS"]...
 * </pre>
 * With {@code --library fake} (the default) it drives the fake libnvidia-ml.so.1 that the test build compiles,
 * with two processes on every GPU, for a repeatable figure. {@code --exec} adds commands to time (default
 * /bin/true; on a GPU host, e.g. "nvidia-smi -q -x").
 */
public final class NvmlSampleBench {

    public static void main(String[] args) throws Exception {
        String library = "fake";
        int gpus = 8;
        int rounds = 5_000;
        int execs = 200;
        List<String> commands = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--library" -> library = args[++i];
                case "--gpus" -> gpus = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--execs" -> execs = Integer.parseInt(args[++i]);
                case "--exec" -> commands.add(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (commands.isEmpty()) {
            commands.add("/bin/true");
        }
        boolean fake = library.equals("fake");
        if (fake) {
            library = FakeNvml.path();
            FakeNvml.Control c = FakeNvml.reset(gpus);
            int self = (int) ProcessHandle.current().pid();
            int parent = ProcessHandle.current().parent().map(p -> (int) p.pid()).orElse(1);
            for (int g = 0; g < gpus; g++) {
                c.fake_add_process(g, self, 40L << 30);
                c.fake_add_process(g, parent, 20L << 30);
                FakeNvml.set(g, "util_gpu", 97);
            }
        }
        System.out.printf(Locale.ROOT, "machine: %d cpus, %s %s, java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version"));
        System.out.printf(Locale.ROOT, "library: %s%s%n", library, fake ? " (fake, " + gpus + " GPUs, 2 processes each)" : "");

        // The energy and health counters are read in the first round only (their intervals are a day).
        NvmlSettings settings = new NvmlSettings(library, Duration.ofSeconds(1), Duration.ofDays(1),
                Duration.ofDays(1), "bench-host");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double sampleCpuUs;
        try (NvmlReader reader = NvmlReader.open(library);
             NvmlCollector collector = new NvmlCollector(NvmlReader.open(library), AttributionSettings.defaults()
                     .build("bench-host"), settings)) {
            int devices = reader.deviceCount();
            System.out.printf(Locale.ROOT, "GPUs: %d, driver %s%n", devices, reader.driverVersion());
            if (devices == 0) {
                System.out.println("no GPU: nothing to measure");
                return;
            }
            collector.pollOnce(); // the first round reads the slow counters: not part of the figure
            for (int i = 0; i < Math.min(rounds, 2_000); i++) {
                collector.pollOnce();
                reader.read(false, false);
            }
            long samples = 0;
            long cpu0 = threads.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                List<GpuSample> round = collector.pollOnce();
                samples += round.size();
            }
            long cpu = threads.getCurrentThreadCpuTime() - cpu0;
            long wall = System.nanoTime() - wall0;
            sampleCpuUs = cpu / 1e3 / samples;
            System.out.printf(Locale.ROOT, "full sample (NVML reads + attribution + GpuSample), no energy counter: "
                    + "%.1f us CPU, %.1f us wall per GPU sample (%d samples)%n", cpu / 1e3 / samples,
                    wall / 1e3 / samples, samples);

            cpu0 = threads.getCurrentThreadCpuTime();
            wall0 = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                reader.read(false, false);
            }
            cpu = threads.getCurrentThreadCpuTime() - cpu0;
            wall = System.nanoTime() - wall0;
            long readings = (long) rounds * devices;
            System.out.printf(Locale.ROOT, "NVML reads alone: %.1f us CPU, %.1f us wall per GPU%n",
                    cpu / 1e3 / readings, wall / 1e3 / readings);

            int energyRounds = Math.max(10, Math.min(rounds / 10, 200));
            cpu0 = threads.getCurrentThreadCpuTime();
            wall0 = System.nanoTime();
            for (int i = 0; i < energyRounds; i++) {
                reader.read(true, true);
            }
            cpu = threads.getCurrentThreadCpuTime() - cpu0;
            wall = System.nanoTime() - wall0;
            System.out.printf(Locale.ROOT, "NVML reads with energy + health counters: %.1f us CPU, %.1f us wall per GPU%n",
                    cpu / 1e3 / ((long) energyRounds * devices), wall / 1e3 / ((long) energyRounds * devices));
        }
        double execCpuUs = Double.NaN;
        for (String command : commands) {
            double us = execBaseline(command, execs);
            execCpuUs = Double.isNaN(execCpuUs) ? us : execCpuUs;
        }
        System.out.printf(Locale.ROOT, "nvml: %.1f us CPU per GPU sample (%.4f of exec '%s', %.1f us CPU per call)%n",
                sampleCpuUs, sampleCpuUs / execCpuUs, commands.get(0), execCpuUs);
    }

    /** Wall time and CPU time (this JVM's fork/exec side plus the child's own) per exec of {@code command}. */
    private static double execBaseline(String command, int n) throws Exception {
        String[] argv = command.split(" ");
        try {
            new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor();
        } catch (java.io.IOException e) {
            System.out.printf(Locale.ROOT, "exec %s: not available (%s)%n", command, e.getMessage());
            return Double.NaN;
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long self0 = os.getProcessCpuTime();
        long children0 = childrenCpuNanos();
        long wall0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor();
        }
        long wall = System.nanoTime() - wall0;
        long self = os.getProcessCpuTime() - self0;
        long children = childrenCpuNanos() - children0;
        System.out.printf(Locale.ROOT, "exec '%s': %.1f us wall, %.1f us CPU (JVM side %.1f + child %.1f) per call "
                + "(%d calls)%n", command, wall / 1e3 / n, (self + children) / 1e3 / n, self / 1e3 / n,
                children / 1e3 / n, n);
        return (self + children) / 1e3 / n;
    }

    /** cutime + cstime of /proc/self/stat: CPU of children this process has waited for, in clock ticks (1/100 s). */
    private static long childrenCpuNanos() throws Exception {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields after ')' start at field 3; cutime is field 16, cstime 17
        return (Long.parseLong(f[13]) + Long.parseLong(f[14])) * 10_000_000L;
    }
}
