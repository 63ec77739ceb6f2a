package costline.streams.bench;

import costline.schemas.Topics;
import costline.schemas.registry.InProcessSchemaRegistryServer;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Settings;
import costline.streams.cost.CostApp;
import costline.streams.prices.PriceCatalog;
import costline.streams.prices.PricesLoader;
import costline.streams.runtime.StreamsRunner;
import costline.testkit.InProcessKafka;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Scale-out of the cost topology on 12 partitions (a program, not a test): the same samples through 1 instance with 1
 * stream thread (the baseline), 1 instance with 2 threads, and 2 instances (separate JVMs, 1 thread each), every
 * instance a child JVM of its own so that its CPU is measured apart from the broker's and the producer's. Prints
 * samples/s and the instances' CPU per sample for each. Run: {@code scripts/bench.sh scaleout [--samples N]}.
 */
public final class ScaleOutBench {

    static final int PARTITIONS = 12;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("instance")) {
            instance(args);
            return;
        }
        Map<String, String> opt = CostPipelineBench.options(args, 0);
        int n = Integer.parseInt(opt.getOrDefault("samples", "200000"));
        System.out.printf("costline cost topology scale-out benchmark, %s, %d cores, %d partitions%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), PARTITIONS);
        Path tmp = Files.createTempDirectory("costline-scaleout-");
        try (InProcessKafka kafka = InProcessKafka.start(); InProcessSchemaRegistryServer registry = InProcessSchemaRegistryServer.start()) {
            kafka.createTopics(PARTITIONS, Topics.GPU_SAMPLES, Topics.GPU_COST, Topics.GPU_SAMPLES_DLQ);
            kafka.createTopics(1, PricesLoader.TOPIC_CONFIG, Topics.GPU_PRICES);
            PricesLoader.load(kafka.clientProperties(), registry.url(), PriceCatalog.readDefault());
            CostPipelineBench.Encoded data = CostPipelineBench.encode(n, Instant.now().minus(Duration.ofMinutes(30)), registry.url());
            System.out.printf("%,d samples of %,d GPUs%n", n, CostPipelineBench.GPUS);
            List<double[]> results = new ArrayList<>();
            int[][] configs = {{1, 1}, {1, 2}, {2, 1}};
            for (int[] c : configs) {
                double[] r = run(kafka, registry.url(), data, tmp, c[0], c[1]);
                results.add(r);
                System.out.printf(Locale.ROOT, "%d instance%s x %d thread%s: %,.0f samples/s, instances' CPU %.1f us per sample"
                                + " (broker + producer process: %.1f us per sample)%n", c[0], c[0] == 1 ? "" : "s", c[1], c[1] == 1 ? "" : "s",
                        r[0], r[1] / 1e3, r[2] / 1e3);
            }
            System.out.printf(Locale.ROOT, "scaleout: %.0f samples/s with 2 instances (%.2f of 1 instance x 1 thread, %.0f samples/s;"
                            + " 1 x 2 threads %.2f; CPU per sample %.1f us vs %.1f us)%n", results.get(2)[0], results.get(2)[0] / results.get(0)[0],
                    results.get(0)[0], results.get(1)[0] / results.get(0)[0], results.get(2)[1] / 1e3, results.get(0)[1] / 1e3);
        }
    }

    /** {samples/s, instances' CPU ns per sample, this process's CPU ns per sample} for one configuration. */
    static double[] run(InProcessKafka kafka, String registryUrl, CostPipelineBench.Encoded data, Path tmp, int instances,
                        int threads) throws Exception {
        String app = "scale-" + instances + "x" + threads + "-" + System.nanoTime();
        List<Process> children = new ArrayList<>();
        List<PrintWriter> in = new ArrayList<>();
        List<BufferedReader> out = new ArrayList<>();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            for (int i = 0; i < instances; i++) {
                Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.log.org.apache.kafka=error",
                        "-cp", System.getProperty("java.class.path"), ScaleOutBench.class.getName(), "instance",
                        kafka.bootstrapServers(), registryUrl, app, String.valueOf(threads), tmp.resolve(app + "-" + i).toString())
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                children.add(p);
                in.add(new PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8));
                out.add(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
            }
            for (BufferedReader r : out) {
                expect(r, "RUNNING");
            }
            awaitStable(admin, app + "-cost");
            long[] cpu0 = new long[instances];
            for (int i = 0; i < instances; i++) {
                in.get(i).println("cpu");
                cpu0[i] = Long.parseLong(expect(out.get(i), "cpu ").substring(4));
            }
            long self0 = os.getProcessCpuTime();
            long start = System.nanoTime();
            CostPipelineBench.send(kafka.clientProperties(), Topics.GPU_SAMPLES, data);
            CostPipelineBench.awaitConsumed(admin, app + "-cost", Topics.GPU_SAMPLES, CostPipelineBench.endOffsets(admin, Topics.GPU_SAMPLES, PARTITIONS));
            double perSecond = data.size() / ((System.nanoTime() - start) / 1e9);
            long self = os.getProcessCpuTime() - self0;
            long cpu = 0;
            for (int i = 0; i < instances; i++) {
                in.get(i).println("cpu");
                cpu += Long.parseLong(expect(out.get(i), "cpu ").substring(4)) - cpu0[i];
            }
            return new double[] {perSecond, (double) cpu / data.size(), (double) self / data.size()};
        } finally {
            in.forEach(PrintWriter::close); // end of input: the instance closes and exits
            for (Process p : children) {
                if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    private static String expect(BufferedReader r, String prefix) throws Exception {
        String line;
        while ((line = r.readLine()) != null) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new IllegalStateException("instance ended before printing " + prefix);
    }

    /** Until the group has settled after the last instance joined: Stable, with every partition assigned. */
    private static void awaitStable(Admin admin, String group) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        int stableFor = 0;
        while (System.nanoTime() < deadline && stableFor < 10) {
            var d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            long assigned = d.members().stream().mapToLong(m -> m.assignment().topicPartitions().stream()
                    .filter(tp -> tp.topic().equals(Topics.GPU_SAMPLES)).count()).sum();
            stableFor = d.groupState() == GroupState.STABLE && assigned == PARTITIONS ? stableFor + 1 : 0;
            Thread.sleep(200);
        }
    }

    /** A child: one cost application; answers "cpu" with this process's CPU time in ns; exits at the end of its input. */
    private static void instance(String[] a) throws Exception {
        Map<String, String> v = new HashMap<>();
        v.put(KafkaSettings.BOOTSTRAP.key(), a[1]);
        v.put(KafkaSettings.REGISTRY_URL.key(), a[2]);
        v.put("streams.application.id.prefix", a[3]);
        v.put(KafkaSettings.THREADS.key(), a[4]);
        v.put(KafkaSettings.STATE_DIR.key(), a[5]);
        v.put("streams.auto.offset.reset", "latest");
        v.put("topics.partitions", String.valueOf(PARTITIONS));
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (StreamsRunner runner = new StreamsRunner()) {
            runner.start(Settings.of(v), List.of(new CostApp()));
            CostPipelineBench.awaitRunning(runner.streams().get(0));
            System.out.println("RUNNING");
            BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = stdin.readLine()) != null) {
                if (line.equals("cpu")) {
                    System.out.println("cpu " + os.getProcessCpuTime());
                }
            }
        }
    }
}
