package costline.collectors.cloudwatch;

import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.Metric;

/**
 * One CloudWatch metric of one GPU, as ListMetrics found it. The metric keeps its exact dimension set:
 * GetMetricData only matches a metric whose dimensions are all given.
 *
 * @param metric     which agent metric
 * @param cwMetric   the CloudWatch metric with every dimension the agent published
 * @param host       the agent's host dimension (the instance's hostname)
 * @param index      the GPU index dimension
 * @param gpuName    the name dimension (GPU model), null when the agent did not add it
 * @param instanceId the InstanceId dimension, null unless append_dimensions adds it
 */
public record GpuSeries(GpuMetric metric, Metric cwMetric, String host, int index, String gpuName, String instanceId) {

    /** Reads a ListMetrics entry; empty when it is not a per-GPU agent metric (no index, or an unknown name). */
    public static Optional<GpuSeries> of(Metric m) {
        Optional<GpuMetric> metric = GpuMetric.byMetricName(m.metricName());
        if (metric.isEmpty() || !m.hasDimensions()) {
            return Optional.empty();
        }
        Map<String, String> dims = m.dimensions().stream()
                .collect(Collectors.toMap(Dimension::name, Dimension::value, (a, b) -> a));
        String index = dims.get("index");
        String host = dims.get("host");
        String instanceId = dims.get("InstanceId");
        if (index == null || (host == null && instanceId == null)) {
            return Optional.empty();
        }
        try {
            int i = Integer.parseInt(index.trim());
            if (i < 0) {
                return Optional.empty();
            }
            return Optional.of(new GpuSeries(metric.get(), m, host, i, dims.get("name"), instanceId));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
