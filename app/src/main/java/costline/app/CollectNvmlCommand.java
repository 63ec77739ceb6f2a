package costline.app;

import costline.collectors.SampleJson;
import costline.collectors.SampleSink;
import costline.collectors.attribution.Attributor;
import costline.collectors.attribution.AttributionSettings;
import costline.collectors.nvml.NvmlCollector;
import costline.collectors.nvml.NvmlReader;
import costline.collectors.nvml.NvmlSettings;
import costline.collectors.nvml.NvmlUnavailableException;
import costline.collectors.publish.KafkaSamplePublisher;
import costline.collectors.publish.PublisherSettings;
import costline.events.GpuSample;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code costline collect nvml}: the on-prem collector, one per GPU node. */
@Command(name = "nvml", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Read every GPU of this host through NVML (libnvidia-ml.so.1) each interval, attribute it to "
                + "workloads, and publish one GpuSample per GPU to Kafka, keyed by GPU UUID.",
                "Run as root (or with CAP_SYS_PTRACE) and in the host's pid namespace, so that other users' "
                        + "processes can be attributed."})
final class CollectNvmlCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    PublishOptions kafka = new PublishOptions();

    @Option(names = "--interval", defaultValue = "1s", converter = DurationConverter.class,
            description = "Time between samples of each GPU (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--energy-interval", defaultValue = "10s", converter = DurationConverter.class,
            description = "How often the energy counter is read; it costs ~4 ms a GPU (default: ${DEFAULT-VALUE}).")
    Duration energyInterval;

    @Option(names = "--health-interval", defaultValue = "10s", converter = DurationConverter.class,
            description = "How often ECC and retired-page counters are read (default: ${DEFAULT-VALUE}).")
    Duration healthInterval;

    @Option(names = "--host", description = "Host name in the samples (default: this machine's name).")
    String host;

    @Option(names = "--nvml-library", defaultValue = NvmlReader.DEFAULT_LIBRARY,
            description = "NVML library file name or path (default: ${DEFAULT-VALUE}).")
    String library;

    @Option(names = "--attribution-chain", split = ",", defaultValue = "env,cgroup,map",
            description = "Resolvers asked in order: env, cgroup, map (default: ${DEFAULT-VALUE}).")
    List<String> chain;

    @Option(names = "--workload-env", split = ",", defaultValue = "COSTLINE_WORKLOAD,SLURM_JOB_NAME,POD_NAME",
            description = "Environment variables naming the workload, first set wins (default: ${DEFAULT-VALUE}).")
    List<String> workloadEnv;

    @Option(names = "--team-env", split = ",", defaultValue = "COSTLINE_TEAM,SLURM_JOB_ACCOUNT,POD_NAMESPACE",
            description = "Environment variables naming the team, first set wins (default: ${DEFAULT-VALUE}).")
    List<String> teamEnv;

    @Option(names = "--attribution-map-file",
            description = "Static map: lines '<GPU UUID or host> <workload> [team]' (default: none).")
    Path mapFile;

    @Option(names = "--proc-root", defaultValue = "/proc",
            description = "Where the host's /proc is mounted (default: ${DEFAULT-VALUE}).")
    Path procRoot;

    @Option(names = "--buffer-max-samples", defaultValue = "20000",
            description = "Samples held while Kafka is unreachable; beyond it new ones are dropped and counted "
                    + "(default: ${DEFAULT-VALUE}).")
    int bufferMaxSamples;

    @Option(names = "--delivery-timeout", defaultValue = "10m", converter = DurationConverter.class,
            description = "How long the producer retries a record before it goes back to the buffer "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration deliveryTimeout;

    @Option(names = "--producer-property", description = "Extra Kafka producer property key=value (repeatable).")
    Map<String, String> producerProperties = Map.of();

    @CommandLine.Mixin
    CollectRunOptions run = new CollectRunOptions();

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        String hostName = host != null ? host : localHostName();
        NvmlSettings nvml;
        AttributionSettings attribution;
        PublisherSettings publishing = null;
        try {
            nvml = new NvmlSettings(library, interval, energyInterval, healthInterval, hostName);
            attribution = new AttributionSettings(chain, workloadEnv, teamEnv, mapFile, procRoot);
            if (!run.json) {
                publishing = new PublisherSettings(kafka.bootstrapServers, kafka.registryUrl, kafka.topic, bufferMaxSamples,
                        deliveryTimeout, "costline-collector-" + hostName, producerProperties);
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        Attributor attributor;
        try {
            attributor = attribution.build(hostName);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        NvmlReader reader;
        try {
            reader = NvmlReader.open(nvml.library());
        } catch (NvmlUnavailableException e) {
            err.println("costline collect nvml: " + e.getMessage());
            err.flush();
            return 1;
        }
        try (NvmlCollector collector = new NvmlCollector(reader, attributor, nvml)) {
            return collect(collector, publishing);
        } finally {
            finished.countDown();
        }
    }

    private final CountDownLatch finished = new CountDownLatch(1);

    private int collect(NvmlCollector collector, PublisherSettings publishing) throws InterruptedException {
        if (run.json) {
            PrintWriter out = spec.commandLine().getOut();
            return runWith(collector, sample -> {
                out.println(SampleJson.write(sample));
                out.flush();
            });
        }
        try (KafkaSamplePublisher publisher = KafkaSamplePublisher.create(publishing)) {
            return runWith(collector, publisher);
        }
    }

    private int runWith(NvmlCollector collector, SampleSink sink) throws InterruptedException {
        if (run.once) {
            for (GpuSample sample : collector.pollOnce()) {
                sink.accept(sample);
            }
            return 0;
        }
        // On SIGTERM: stop polling, and let the publisher deliver what it holds (it waits up to 30 s) before exit.
        Thread hook = new Thread(() -> {
            collector.stop();
            try {
                finished.await(40, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // exiting anyway
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        collector.run(sink);
        return 0;
    }

    private static String localHostName() {
        try {
            Path etc = Path.of("/etc/hostname");
            if (Files.isReadable(etc)) {
                String name = Files.readString(etc).trim();
                if (!name.isEmpty()) {
                    return name;
                }
            }
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            String env = System.getenv("HOSTNAME");
            return env != null && !env.isBlank() ? env : "unknown-host";
        }
    }
}
