package costline.collectors.cloudwatch;

import costline.collectors.poll.Retrier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;
import software.amazon.awssdk.services.cloudwatch.model.MetricStat;
import software.amazon.awssdk.services.cloudwatch.model.ScanBy;
import software.amazon.awssdk.services.cloudwatch.model.StatusCode;

/**
 * Reads the values of many series over one time range with GetMetricData: batches of at most
 * {@code maxQueries} queries (CloudWatch's limit is 500), each batch followed through NextToken until
 * every result is Complete. A result still PartialData without a next token, or InternalError / Forbidden,
 * marks the read incomplete so the caller keeps the range open and reads it again.
 */
final class MetricReader {

    private static final Logger LOG = LoggerFactory.getLogger(MetricReader.class);

    /**
     * @param values     per series: period start -> the period's Average
     * @param calls      GetMetricData calls made
     * @param incomplete series whose data did not come back whole
     */
    record Result(Map<GpuSeries, NavigableMap<Instant, Double>> values, int calls, Set<GpuSeries> incomplete) { }

    private final CloudWatchClient cloudWatch;
    private final Retrier retrier;
    private final String region;
    private final int maxQueries;

    MetricReader(CloudWatchClient cloudWatch, Retrier retrier, String region, int maxQueries) {
        this.cloudWatch = cloudWatch;
        this.retrier = retrier;
        this.region = region;
        this.maxQueries = maxQueries;
    }

    Result read(List<GpuSeries> series, Instant start, Instant end, Duration period) {
        Map<GpuSeries, NavigableMap<Instant, Double>> values = new HashMap<>();
        int calls = 0;
        Set<GpuSeries> incomplete = new HashSet<>();
        for (int from = 0; from < series.size(); from += maxQueries) {
            List<GpuSeries> batch = series.subList(from, Math.min(series.size(), from + maxQueries));
            List<MetricDataQuery> queries = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                queries.add(MetricDataQuery.builder()
                        .id("q" + i) // ids must start with a lower-case letter
                        .metricStat(MetricStat.builder()
                                .metric(batch.get(i).cwMetric())
                                .period((int) period.toSeconds())
                                .stat("Average")
                                .build())
                        .returnData(true)
                        .build());
            }
            Map<Integer, StatusCode> lastStatus = new HashMap<>();
            String token = null;
            do {
                GetMetricDataRequest request = GetMetricDataRequest.builder()
                        .metricDataQueries(queries)
                        .startTime(start)
                        .endTime(end)
                        .scanBy(ScanBy.TIMESTAMP_ASCENDING)
                        .nextToken(token)
                        .build();
                GetMetricDataResponse response = retrier.call("GetMetricData in " + region,
                        () -> cloudWatch.getMetricData(request));
                calls++;
                for (MetricDataResult r : response.metricDataResults()) {
                    int i = queryIndex(r.id(), batch.size());
                    if (i < 0) {
                        LOG.warn("GetMetricData in {} answered an unknown query id '{}'", region, r.id());
                        continue;
                    }
                    NavigableMap<Instant, Double> points = values.computeIfAbsent(batch.get(i), k -> new TreeMap<>());
                    List<Instant> ts = r.timestamps();
                    List<Double> vs = r.values();
                    for (int k = 0; k < Math.min(ts.size(), vs.size()); k++) {
                        points.put(ts.get(k), vs.get(k));
                    }
                    lastStatus.put(i, r.statusCode());
                }
                token = response.nextToken();
            } while (token != null && !token.isEmpty());
            for (var e : lastStatus.entrySet()) {
                if (e.getValue() != StatusCode.COMPLETE) {
                    incomplete.add(batch.get(e.getKey()));
                    LOG.warn("GetMetricData in {}: {} of {} came back {}", region,
                            batch.get(e.getKey()).metric().metricName(), batch.get(e.getKey()).host(), e.getValue());
                }
            }
        }
        return new Result(values, calls, incomplete);
    }

    private static int queryIndex(String id, int size) {
        if (id == null || id.length() < 2 || id.charAt(0) != 'q') {
            return -1;
        }
        try {
            int i = Integer.parseInt(id.substring(1));
            return i < size ? i : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
