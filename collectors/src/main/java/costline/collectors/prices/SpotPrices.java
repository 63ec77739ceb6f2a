package costline.collectors.prices;

import costline.collectors.poll.Retrier;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeSpotPriceHistoryRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSpotPriceHistoryResponse;
import software.amazon.awssdk.services.ec2.model.SpotPrice;

/**
 * Spot price history of one region: one DescribeSpotPriceHistory for every instance type in use (up to 1,000 prices
 * a page), from a start time to now. EC2 also returns, for each zone and type, the price already in force at the start.
 */
final class SpotPrices {

    /** One spot price: in force in {@code zone} from {@code at} until the next one. */
    record Change(String instanceType, String zone, long microUsdPerHour, Instant at) { }

    private final Ec2Client ec2;
    private final Retrier retrier;
    private final String region;
    private int calls;

    SpotPrices(Ec2Client ec2, Retrier retrier, String region) {
        this.ec2 = ec2;
        this.retrier = retrier;
        this.region = region;
    }

    List<Change> since(Collection<String> instanceTypes, String productDescription, Instant start, Instant end) {
        List<Change> out = new ArrayList<>();
        String token = null;
        do {
            DescribeSpotPriceHistoryRequest request = DescribeSpotPriceHistoryRequest.builder()
                    .instanceTypesWithStrings(instanceTypes).productDescriptions(productDescription)
                    .startTime(start).endTime(end).maxResults(1000).nextToken(token).build();
            DescribeSpotPriceHistoryResponse response = retrier.call("DescribeSpotPriceHistory in " + region,
                    () -> ec2.describeSpotPriceHistory(request));
            calls++;
            for (SpotPrice p : response.spotPriceHistory()) {
                out.add(new Change(p.instanceTypeAsString(), p.availabilityZone(),
                        new BigDecimal(p.spotPrice()).movePointRight(6).setScale(0, RoundingMode.HALF_EVEN).longValueExact(),
                        p.timestamp()));
            }
            token = response.nextToken();
        } while (token != null && !token.isEmpty());
        return out;
    }

    int calls() {
        return calls;
    }
}
