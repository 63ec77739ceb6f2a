package costline.collectors.cloudwatch;

import costline.collectors.poll.Retrier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.ListMetricsRequest;
import software.amazon.awssdk.services.cloudwatch.model.ListMetricsResponse;
import software.amazon.awssdk.services.cloudwatch.model.Metric;
import software.amazon.awssdk.services.cloudwatch.model.RecentlyActive;

/**
 * Finds the GPU metrics the agent publishes in one region: ListMetrics once per selected metric name,
 * following NextToken. Only metrics active in the last three hours are listed (RecentlyActive=PT3H), so
 * GPUs of terminated instances drop out instead of costing a query each poll.
 */
final class MetricDiscovery {

    /** What one discovery found. {@code skipped}: metrics of the right name without an index dimension. */
    record Result(List<GpuSeries> series, int skipped, int calls) { }

    private final CloudWatchClient cloudWatch;
    private final Retrier retrier;
    private final String region;

    MetricDiscovery(CloudWatchClient cloudWatch, Retrier retrier, String region) {
        this.cloudWatch = cloudWatch;
        this.retrier = retrier;
        this.region = region;
    }

    Result discover(String namespace, Set<GpuMetric> metrics) {
        List<GpuSeries> found = new ArrayList<>();
        int skipped = 0;
        int calls = 0;
        for (GpuMetric metric : metrics) {
            String token = null;
            do {
                ListMetricsRequest request = ListMetricsRequest.builder()
                        .namespace(namespace)
                        .metricName(metric.metricName())
                        .recentlyActive(RecentlyActive.PT3_H)
                        .nextToken(token)
                        .build();
                ListMetricsResponse response = retrier.call("ListMetrics " + metric.metricName() + " in " + region,
                        () -> cloudWatch.listMetrics(request));
                calls++;
                for (Metric m : response.metrics()) {
                    var series = GpuSeries.of(m);
                    if (series.isPresent()) {
                        found.add(series.get());
                    } else {
                        skipped++;
                    }
                }
                token = response.nextToken();
            } while (token != null && !token.isEmpty());
        }
        return new Result(List.copyOf(found), skipped, calls);
    }
}
