package costline.collectors.cloudwatch;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every setting of the CloudWatch poller, validated once at start-up. A bad value fails with the setting's
 * name and how to fix it (see {@link #validate()}).
 *
 * @param regions            AWS regions to poll, each independently
 * @param namespace          CloudWatch namespace the agent publishes to
 * @param period             CloudWatch period of one sample (the GpuSample interval)
 * @param cadence            time between two polls
 * @param lateWindow         how far back each poll re-reads: periods younger than this may still change
 * @param maxCatchUp         longest span read in one poll when catching up after a restart or an outage
 * @param metrics            which agent metrics to read (each costs $0.01 per 1,000 per poll)
 * @param workloadTagKey     EC2 tag whose value is the workload
 * @param teamTagKey         EC2 tag whose value is the team
 * @param stateFile          where watermarks are kept across restarts
 * @param cloudWatchEndpoint endpoint override for CloudWatch (tests, VPC endpoints); empty for AWS's
 * @param ec2Endpoint        endpoint override for EC2; empty for AWS's
 * @param discoveryRefresh   how often ListMetrics runs again to find new GPUs
 * @param ec2Refresh         how often DescribeInstances runs again
 * @param retryBaseDelay     first backoff after a throttled or failed call (on top of the SDK's retries)
 * @param retryMaxDelay      cap of one backoff
 * @param retryMaxAttempts   attempts per call at this layer before the region's poll gives up until next cadence
 * @param maxQueriesPerCall  metric queries per GetMetricData call (CloudWatch allows 500)
 */
public record CloudWatchSettings(
        List<String> regions,
        String namespace,
        Duration period,
        Duration cadence,
        Duration lateWindow,
        Duration maxCatchUp,
        Set<GpuMetric> metrics,
        String workloadTagKey,
        String teamTagKey,
        Path stateFile,
        Optional<URI> cloudWatchEndpoint,
        Optional<URI> ec2Endpoint,
        Duration discoveryRefresh,
        Duration ec2Refresh,
        Duration retryBaseDelay,
        Duration retryMaxDelay,
        int retryMaxAttempts,
        int maxQueriesPerCall) {

    public static final String DEFAULT_NAMESPACE = "CWAgent";
    public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(60);
    public static final Duration DEFAULT_CADENCE = Duration.ofMinutes(5);
    public static final Duration DEFAULT_LATE_WINDOW = Duration.ofMinutes(10);
    public static final Duration DEFAULT_MAX_CATCH_UP = Duration.ofHours(6);
    public static final Duration DEFAULT_DISCOVERY_REFRESH = Duration.ofMinutes(15);
    public static final Duration DEFAULT_EC2_REFRESH = Duration.ofMinutes(5);
    public static final Duration DEFAULT_RETRY_BASE = Duration.ofSeconds(1);
    public static final Duration DEFAULT_RETRY_MAX = Duration.ofSeconds(30);
    public static final int DEFAULT_RETRY_ATTEMPTS = 4;
    /** CloudWatch's own limit on MetricDataQueries per GetMetricData call. */
    public static final int MAX_QUERIES_PER_CALL = 500;

    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+");

    public CloudWatchSettings {
        regions = List.copyOf(regions);
        metrics = metrics.isEmpty() ? EnumSet.noneOf(GpuMetric.class) : EnumSet.copyOf(metrics);
    }

    /** The defaults for the given regions. */
    public static CloudWatchSettings defaults(List<String> regions) {
        return new CloudWatchSettings(regions, DEFAULT_NAMESPACE, DEFAULT_PERIOD, DEFAULT_CADENCE, DEFAULT_LATE_WINDOW,
                DEFAULT_MAX_CATCH_UP, EnumSet.allOf(GpuMetric.class), "workload", "team",
                Path.of(System.getProperty("user.home"), ".costline", "cloudwatch-watermarks.json"),
                Optional.empty(), Optional.empty(), DEFAULT_DISCOVERY_REFRESH, DEFAULT_EC2_REFRESH,
                DEFAULT_RETRY_BASE, DEFAULT_RETRY_MAX, DEFAULT_RETRY_ATTEMPTS, MAX_QUERIES_PER_CALL);
    }

    /**
     * Checks every setting and returns this; throws {@link IllegalArgumentException} naming the first bad
     * setting and the fix.
     */
    public CloudWatchSettings validate() {
        List<String> problems = new ArrayList<>();
        if (regions.isEmpty()) {
            problems.add("regions: none given; name at least one AWS region, e.g. --region us-east-1");
        }
        for (String r : regions) {
            if (!REGION.matcher(r).matches()) {
                problems.add("regions: '" + r + "' is not an AWS region name; use names like us-east-1 or eu-west-2");
            }
        }
        if (namespace == null || namespace.isBlank()) {
            problems.add("namespace: empty; use the agent's namespace (CWAgent unless its config sets another)");
        }
        long p = period.toSeconds();
        if (period.toMillis() % 1000 != 0 || !(p == 1 || p == 5 || p == 10 || p == 30 || (p >= 60 && p % 60 == 0))) {
            problems.add("period: " + period.toSeconds() + " s is not a CloudWatch period; use 1, 5, 10, 30 or a multiple of 60 seconds");
        }
        if (cadence.compareTo(period) < 0 || cadence.toMillis() % period.toMillis() != 0) {
            problems.add("cadence: " + cadence.toSeconds() + " s must be a whole multiple of the period (" + p + " s)");
        }
        if (lateWindow.compareTo(period) < 0 || lateWindow.toMillis() % period.toMillis() != 0) {
            problems.add("late-window: " + lateWindow.toSeconds() + " s must be a whole multiple of the period (" + p + " s), at least one period");
        }
        if (maxCatchUp.compareTo(lateWindow.plus(cadence)) < 0) {
            problems.add("max-catch-up: " + maxCatchUp.toSeconds() + " s must be at least late-window + cadence ("
                    + lateWindow.plus(cadence).toSeconds() + " s)");
        }
        if (metrics.isEmpty()) {
            problems.add("metrics: none selected; name at least one of " + List.of(GpuMetric.values()));
        }
        if (workloadTagKey == null || workloadTagKey.isBlank()) {
            problems.add("workload-tag: empty; name the EC2 tag key that holds the workload (default 'workload')");
        }
        if (teamTagKey == null || teamTagKey.isBlank()) {
            problems.add("team-tag: empty; name the EC2 tag key that holds the team (default 'team')");
        }
        if (stateFile == null) {
            problems.add("state-file: missing; give a writable file path for the watermarks");
        }
        cloudWatchEndpoint.ifPresent(u -> checkEndpoint("cloudwatch-endpoint", u, problems));
        ec2Endpoint.ifPresent(u -> checkEndpoint("ec2-endpoint", u, problems));
        if (discoveryRefresh.isNegative() || discoveryRefresh.isZero()) {
            problems.add("discovery-refresh: must be positive, e.g. 15m");
        }
        if (ec2Refresh.isNegative() || ec2Refresh.isZero()) {
            problems.add("ec2-refresh: must be positive, e.g. 5m");
        }
        if (retryBaseDelay.isNegative() || retryBaseDelay.isZero() || retryMaxDelay.compareTo(retryBaseDelay) < 0) {
            problems.add("retry-base-delay / retry-max-delay: need 0 < base <= max (defaults 1 s and 30 s)");
        }
        if (retryMaxAttempts < 1) {
            problems.add("retry-max-attempts: " + retryMaxAttempts + " must be at least 1");
        }
        if (maxQueriesPerCall < 1 || maxQueriesPerCall > MAX_QUERIES_PER_CALL) {
            problems.add("max-queries-per-call: " + maxQueriesPerCall + " must be 1.." + MAX_QUERIES_PER_CALL
                    + " (CloudWatch rejects more than 500 queries per GetMetricData call)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid CloudWatch poller settings: " + String.join("; ", problems));
        }
        return this;
    }

    private static void checkEndpoint(String key, URI uri, List<String> problems) {
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null) {
            problems.add(key + ": '" + uri + "' is not an http(s) URL; give e.g. https://monitoring.us-east-1.amazonaws.com");
        }
    }

    public CloudWatchSettings withEndpoints(URI cloudWatch, URI ec2) {
        return new CloudWatchSettings(regions, namespace, period, cadence, lateWindow, maxCatchUp, metrics, workloadTagKey,
                teamTagKey, stateFile, Optional.ofNullable(cloudWatch), Optional.ofNullable(ec2), discoveryRefresh, ec2Refresh,
                retryBaseDelay, retryMaxDelay, retryMaxAttempts, maxQueriesPerCall);
    }

    public CloudWatchSettings withStateFile(Path file) {
        return new CloudWatchSettings(regions, namespace, period, cadence, lateWindow, maxCatchUp, metrics, workloadTagKey,
                teamTagKey, file, cloudWatchEndpoint, ec2Endpoint, discoveryRefresh, ec2Refresh,
                retryBaseDelay, retryMaxDelay, retryMaxAttempts, maxQueriesPerCall);
    }

    public CloudWatchSettings withMetrics(Set<GpuMetric> selected) {
        return new CloudWatchSettings(regions, namespace, period, cadence, lateWindow, maxCatchUp, selected, workloadTagKey,
                teamTagKey, stateFile, cloudWatchEndpoint, ec2Endpoint, discoveryRefresh, ec2Refresh,
                retryBaseDelay, retryMaxDelay, retryMaxAttempts, maxQueriesPerCall);
    }

    public CloudWatchSettings withTagKeys(String workloadTag, String teamTag) {
        return new CloudWatchSettings(regions, namespace, period, cadence, lateWindow, maxCatchUp, metrics, workloadTag,
                teamTag, stateFile, cloudWatchEndpoint, ec2Endpoint, discoveryRefresh, ec2Refresh,
                retryBaseDelay, retryMaxDelay, retryMaxAttempts, maxQueriesPerCall);
    }

    public CloudWatchSettings withRetry(Duration base, Duration max, int attempts) {
        return new CloudWatchSettings(regions, namespace, period, cadence, lateWindow, maxCatchUp, metrics, workloadTagKey,
                teamTagKey, stateFile, cloudWatchEndpoint, ec2Endpoint, discoveryRefresh, ec2Refresh,
                base, max, attempts, maxQueriesPerCall);
    }

    public CloudWatchSettings withTiming(Duration newPeriod, Duration newCadence, Duration newLateWindow) {
        return new CloudWatchSettings(regions, namespace, newPeriod, newCadence, newLateWindow, maxCatchUp, metrics,
                workloadTagKey, teamTagKey, stateFile, cloudWatchEndpoint, ec2Endpoint, discoveryRefresh, ec2Refresh,
                retryBaseDelay, retryMaxDelay, retryMaxAttempts, maxQueriesPerCall);
    }
}
