package costline.collectors.cloudwatch;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/**
 * What polling costs per month in CloudWatch API charges: GetMetricData is billed per metric requested,
 * $0.01 per 1,000, however many datapoints each returns. A month is 730 hours, as in the cost model.
 *
 * @param metrics          metrics requested per poll
 * @param pollsPerMonth    polls in 730 hours at the cadence
 * @param metricsPerMonth  metrics requested per month
 * @param usdPerMonth      dollars per month, to the cent
 */
public record ApiCostEstimate(long metrics, long pollsPerMonth, long metricsPerMonth, BigDecimal usdPerMonth) {

    static final BigDecimal USD_PER_1000_METRICS = new BigDecimal("0.01");
    static final long SECONDS_PER_MONTH = 730L * 3600L;

    public static ApiCostEstimate of(long metrics, Duration cadence) {
        long polls = SECONDS_PER_MONTH / cadence.toSeconds();
        long perMonth = metrics * polls;
        BigDecimal usd = BigDecimal.valueOf(perMonth).multiply(USD_PER_1000_METRICS)
                .divide(BigDecimal.valueOf(1000), 2, RoundingMode.HALF_EVEN);
        return new ApiCostEstimate(metrics, polls, perMonth, usd);
    }

    public String describe(Duration cadence) {
        return String.format("CloudWatch API cost estimate: %,d metrics x %,d polls/month (every %d s) = %,d metrics requested"
                        + " = $%s/month at $0.01 per 1,000 metrics (GetMetricData; ListMetrics and EC2 calls are extra"
                        + " and small)", metrics, pollsPerMonth, cadence.toSeconds(), metricsPerMonth, usdPerMonth.toPlainString());
    }
}
