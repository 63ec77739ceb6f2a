package costline.app;

import costline.app.health.CommandHealth;
import costline.app.health.HealthOptions;
import costline.app.health.HealthServer;
import costline.collectors.SampleJson;
import costline.collectors.SampleSink;
import costline.collectors.publish.KafkaSamplePublisher;
import costline.collectors.publish.PublisherSettings;
import java.util.Map;
import costline.collectors.cloudwatch.CloudWatchPoller;
import costline.collectors.cloudwatch.CloudWatchSettings;
import costline.collectors.cloudwatch.GpuMetric;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import costline.streams.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code collect cloudwatch}: polls the CloudWatch agent's GPU metrics and EC2 metadata in one or more
 * regions and publishes GpuSamples. Every option maps onto one {@link CloudWatchSettings} component; the
 * settings are validated before anything starts.
 */
@Command(name = "cloudwatch", mixinStandardHelpOptions = true,
        description = {"Poll CloudWatch GPU metrics (CloudWatch agent, nvidia_smi_*) and EC2 metadata; publish GpuSamples.",
                "Credentials come from the AWS SDK's default chain (environment, profile, container or instance role)."})
public final class CollectCloudWatchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--region", split = ",", required = true, paramLabel = "REGION",
            description = "AWS regions to poll, comma-separated or repeated (required).")
    List<String> regions;

    @Option(names = "--namespace", defaultValue = CloudWatchSettings.DEFAULT_NAMESPACE,
            description = "CloudWatch namespace of the agent's metrics (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--period", defaultValue = "60s", description = "CloudWatch period of one sample (default: ${DEFAULT-VALUE}).")
    String period;

    @Option(names = "--cadence", defaultValue = "5m", description = "Time between polls (default: ${DEFAULT-VALUE}).")
    String cadence;

    @Option(names = "--late-window", defaultValue = "10m",
            description = "How far back each poll re-reads periods that may still change (default: ${DEFAULT-VALUE}).")
    String lateWindow;

    @Option(names = "--max-catch-up", defaultValue = "6h",
            description = "Longest span one poll reads when catching up after downtime (default: ${DEFAULT-VALUE}).")
    String maxCatchUp;

    @Option(names = "--metrics", split = ",", paramLabel = "METRIC",
            description = "Agent metrics to read, by CloudWatch name or field (default: all seven, see the README).")
    List<String> metrics;

    @Option(names = "--workload-tag", defaultValue = "workload", description = "EC2 tag key holding the workload (default: ${DEFAULT-VALUE}).")
    String workloadTag;

    @Option(names = "--team-tag", defaultValue = "team", description = "EC2 tag key holding the team (default: ${DEFAULT-VALUE}).")
    String teamTag;

    @Option(names = "--state-file", description = "Watermark file (default: ~/.costline/cloudwatch-watermarks.json).")
    Path stateFile;

    @Option(names = "--cloudwatch-endpoint", description = "Endpoint override for CloudWatch (VPC endpoint, tests).")
    URI cloudWatchEndpoint;

    @Option(names = "--ec2-endpoint", description = "Endpoint override for EC2 (VPC endpoint, tests).")
    URI ec2Endpoint;

    @Option(names = "--discovery-refresh", defaultValue = "15m", description = "How often ListMetrics runs again (default: ${DEFAULT-VALUE}).")
    String discoveryRefresh;

    @Option(names = "--ec2-refresh", defaultValue = "5m", description = "How often DescribeInstances runs again (default: ${DEFAULT-VALUE}).")
    String ec2Refresh;

    @Option(names = "--retry-base-delay", defaultValue = "1s", description = "First backoff after throttling or a 5xx (default: ${DEFAULT-VALUE}).")
    String retryBase;

    @Option(names = "--retry-max-delay", defaultValue = "30s", description = "Cap of one backoff (default: ${DEFAULT-VALUE}).")
    String retryMax;

    @Option(names = "--retry-max-attempts", defaultValue = "4", description = "Attempts per call on top of the SDK's retries (default: ${DEFAULT-VALUE}).")
    int retryAttempts;

    @Option(names = "--max-queries-per-call", defaultValue = "500", description = "Queries per GetMetricData call, 1..500 (default: ${DEFAULT-VALUE}).")
    int maxQueries;

    @CommandLine.Mixin
    CollectRunOptions run = new CollectRunOptions();

    @CommandLine.Mixin
    PublishOptions kafka = new PublishOptions();

    @Option(names = "--buffer-max-samples", defaultValue = "200000",
            description = "Samples held while Kafka is unreachable; beyond it new ones are dropped and counted (default: ${DEFAULT-VALUE}).")
    int bufferMaxSamples;

    @CommandLine.Mixin
    HealthOptions health = new HealthOptions();

    @Override
    public Integer call() {
        CloudWatchSettings settings;
        try {
            settings = settings().validate();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        KafkaSamplePublisher publisher = null;
        SampleSink sink;
        if (run.json) {
            sink = jsonLines(out);
        } else {
            try {
                publisher = KafkaSamplePublisher.create(new PublisherSettings(kafka.bootstrapServers, kafka.registryUrl, kafka.topic,
                        bufferMaxSamples, PublisherSettings.DEFAULT_DELIVERY_TIMEOUT, "costline-cloudwatch-poller", Map.of()));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage() + " (or use --json)");
            }
            sink = publisher;
        }
        try (CloudWatchPoller poller = new CloudWatchPoller(settings, sink, Clock.systemUTC())) {
            // the health endpoint serves a long-running poller; --once exits after one cycle
            try (CommandHealth endpoint = run.once ? null : startHealth(publisher, sink)) {
                return run.run(poller, "collect cloudwatch", out, spec.commandLine().getErr());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            if (publisher != null) {
                publisher.close();
            }
        }
    }

    /** Ready once the poller has handed over its first sample (the first cycle can take a while on a big fleet). */
    private CommandHealth startHealth(KafkaSamplePublisher publisher, SampleSink sink) {
        CommandHealth endpoint;
        try {
            endpoint = CommandHealth.start(health, "collect-cloudwatch");
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        if (publisher != null) {
            endpoint.bindPublisher(publisher::stats);
            endpoint.readiness(() -> publisher.stats().accepted() > 0 ? HealthServer.Check.ok("ready: polling")
                    : HealthServer.Check.notYet("not ready: no sample polled yet"));
        } else {
            endpoint.readiness(() -> HealthServer.Check.ok("ready: printing JSON"));
        }
        return endpoint;
    }

    /** One JSON line per sample on standard out (regions are polled in parallel: one line at a time). */
    static SampleSink jsonLines(PrintWriter out) {
        return sample -> {
            synchronized (out) {
                out.println(SampleJson.write(sample));
            }
        };
    }

    CloudWatchSettings settings() {
        Set<GpuMetric> selected = EnumSet.allOf(GpuMetric.class);
        if (metrics != null && !metrics.isEmpty()) {
            selected = EnumSet.noneOf(GpuMetric.class);
            for (String m : metrics) {
                selected.add(GpuMetric.parse(m).orElseThrow(() -> new IllegalArgumentException(
                        "metrics: '" + m + "' is not a known GPU metric; use one of " + List.of(GpuMetric.values()))));
            }
        }
        CloudWatchSettings d = CloudWatchSettings.defaults(regions == null ? List.of() : new ArrayList<>(regions));
        return new CloudWatchSettings(d.regions(), namespace, duration("period", period), duration("cadence", cadence),
                duration("late-window", lateWindow), duration("max-catch-up", maxCatchUp), selected, workloadTag, teamTag,
                stateFile != null ? stateFile : d.stateFile(), Optional.ofNullable(cloudWatchEndpoint), Optional.ofNullable(ec2Endpoint),
                duration("discovery-refresh", discoveryRefresh), duration("ec2-refresh", ec2Refresh),
                duration("retry-base-delay", retryBase), duration("retry-max-delay", retryMax), retryAttempts, maxQueries);
    }

    /** The one duration grammar of costline ({@link Durations}): 250ms, 60s, 5m, 6h, 14d or ISO-8601 (PT5M). */
    static Duration duration(String key, String text) {
        return Durations.parse(text).orElseThrow(() -> new IllegalArgumentException(
                "--" + key + ": '" + text + "' is not a duration; write " + Durations.GRAMMAR));
    }
}
