package costline.app;

import costline.collectors.SampleJson;
import costline.collectors.SampleSink;
import costline.collectors.attribution.Attributor;
import costline.app.health.CommandHealth;
import costline.app.health.HealthOptions;
import costline.app.health.HealthServer;
import costline.collectors.attribution.AttributionSettings;
import costline.collectors.kubernetes.KubernetesResolver;
import costline.collectors.kubernetes.KubernetesSettings;
import io.micrometer.core.instrument.Gauge;
import java.util.concurrent.atomic.AtomicLong;
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

    @Option(names = "--attribution-chain", split = ",", defaultValue = "kubernetes,env,cgroup,map",
            description = "Resolvers asked in order: kubernetes, env, cgroup, map (default: ${DEFAULT-VALUE}).")
    List<String> chain;

    @Option(names = "--kubernetes", defaultValue = "auto",
            description = "Kubernetes resolver: auto (on when the kubelet socket exists), on, off (default: ${DEFAULT-VALUE}).")
    String kubernetesMode;

    @Option(names = "--kubelet-socket", defaultValue = "/var/lib/kubelet/pod-resources/kubelet.sock",
            description = "The kubelet's PodResources socket (default: ${DEFAULT-VALUE}).")
    Path kubeletSocket;

    @Option(names = "--kubelet-timeout", defaultValue = "2s", converter = DurationConverter.class,
            description = "Deadline of one PodResources call (default: ${DEFAULT-VALUE}).")
    Duration kubeletTimeout;

    @Option(names = "--kubelet-refresh", defaultValue = "30s", converter = DurationConverter.class,
            description = "How often pods' devices are listed again; also at once (at most once a second) when a new "
                    + "process or an unknown device appears (default: ${DEFAULT-VALUE}).")
    Duration kubeletRefresh;

    @Option(names = "--kubernetes-api", defaultValue = "auto",
            description = "Pod labels from the API server: auto (in a cluster or with a kubeconfig), off "
                    + "(default: ${DEFAULT-VALUE}).")
    String kubernetesApi;

    @Option(names = "--node-name", defaultValue = "${env:NODE_NAME}",
            description = "This node's name in Kubernetes (default: NODE_NAME, else --host).")
    String nodeName;

    @Option(names = "--workload-label", split = ",", defaultValue = "app.kubernetes.io/name,app",
            description = "Pod labels naming the workload, first set wins (default: ${DEFAULT-VALUE}).")
    List<String> workloadLabels;

    @Option(names = "--team-label", split = ",", defaultValue = "team,app.kubernetes.io/part-of",
            description = "Pod labels naming the team, first set wins (default: ${DEFAULT-VALUE}).")
    List<String> teamLabels;

    @CommandLine.Mixin
    HealthOptions health = new HealthOptions();

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
            KubernetesSettings kubernetes = new KubernetesSettings(KubernetesSettings.mode(kubernetesMode),
                    kubeletSocket, kubeletTimeout, kubeletRefresh, KubernetesSettings.apiMode(kubernetesApi),
                    nodeName != null && !nodeName.isBlank() ? nodeName : hostName, workloadLabels, teamLabels);
            attribution = new AttributionSettings(chain, workloadEnv, teamEnv, mapFile, procRoot, kubernetes);
            health.validate();
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
        try (NvmlCollector collector = new NvmlCollector(reader, attributor, nvml);
             CommandHealth endpoint = run.once || !health.enabled() ? null : startHealth(attributor, nvml)) {
            return collect(collector, publishing, endpoint);
        } finally {
            finished.countDown();
        }
    }

    private CommandHealth startHealth(Attributor attributor, NvmlSettings nvml) {
        CommandHealth endpoint;
        try {
            endpoint = CommandHealth.start(health, "collect-nvml");
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        endpoint.counter("costline.collector.samples", "GpuSamples built (one per GPU per round)", samplesBuilt,
                AtomicLong::get);
        for (var resolver : attributor.chain().resolvers()) {
            if (resolver instanceof KubernetesResolver k8s) {
                Gauge.builder("costline.kubelet.up", k8s, r -> r.failing() ? 0 : 1)
                        .description("1 when the last PodResources list succeeded").strongReference(true).register(endpoint.registry());
            }
        }
        // Ready once the first round went to the sink; alive while rounds keep coming (a hung NVML call is fatal).
        long stalledAfterMillis = Math.max(30_000, 10 * nvml.interval().toMillis());
        endpoint.readiness(() -> lastRoundMillis.get() > 0 ? HealthServer.Check.ok("ready: sampling")
                : HealthServer.Check.notYet("not ready: no round sampled yet"));
        endpoint.liveness(() -> {
            long last = lastRoundMillis.get();
            long age = System.currentTimeMillis() - last;
            return last > 0 && age > stalledAfterMillis
                    ? new HealthServer.Check(false, "no round for " + age + " ms")
                    : HealthServer.Check.ok("alive");
        });
        return endpoint;
    }

    private final AtomicLong samplesBuilt = new AtomicLong();
    private final AtomicLong lastRoundMillis = new AtomicLong();

    private final CountDownLatch finished = new CountDownLatch(1);

    private int collect(NvmlCollector collector, PublisherSettings publishing, CommandHealth endpoint)
            throws InterruptedException {
        if (run.json) {
            PrintWriter out = spec.commandLine().getOut();
            return runWith(collector, counted(sample -> {
                out.println(SampleJson.write(sample));
                out.flush();
            }));
        }
        try (KafkaSamplePublisher publisher = KafkaSamplePublisher.create(publishing)) {
            if (endpoint != null) {
                endpoint.bindPublisher(publisher::stats);
            }
            return runWith(collector, counted(publisher));
        }
    }

    private SampleSink counted(SampleSink sink) {
        return sample -> {
            sink.accept(sample);
            samplesBuilt.incrementAndGet();
            lastRoundMillis.set(System.currentTimeMillis());
        };
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
