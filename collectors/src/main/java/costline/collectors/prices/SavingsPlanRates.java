package costline.collectors.prices;

import costline.collectors.poll.Retrier;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.savingsplans.SavingsplansClient;
import software.amazon.awssdk.services.savingsplans.model.DescribeSavingsPlansOfferingRatesRequest;
import software.amazon.awssdk.services.savingsplans.model.DescribeSavingsPlansOfferingRatesResponse;
import software.amazon.awssdk.services.savingsplans.model.SavingsPlanOfferingRate;
import software.amazon.awssdk.services.savingsplans.model.SavingsPlanOfferingRateFilterElement;
import software.amazon.awssdk.services.savingsplans.model.SavingsPlanOfferingRateProperty;

/**
 * Committed hourly rates of a Savings Plan offering: one DescribeSavingsPlansOfferingRates per region for all the
 * covered instance types (plan type, payment option, EC2 RunInstances, shared tenancy, the OS), all pages; offerings
 * of another term are skipped.
 */
final class SavingsPlanRates {

    private final SavingsplansClient client;
    private final Retrier retrier;
    private int calls;

    SavingsPlanRates(SavingsplansClient client, Retrier retrier) {
        this.client = client;
        this.retrier = retrier;
    }

    /** Committed micro-USD per instance-hour by instance type. */
    Map<String, Long> rates(PriceSettings.SavingsPlan plan, String region, Collection<String> instanceTypes, String spotProduct) {
        Map<String, Long> out = new HashMap<>();
        long seconds = plan.durationYears() * 31_536_000L;
        String token = null;
        do {
            DescribeSavingsPlansOfferingRatesRequest request = DescribeSavingsPlansOfferingRatesRequest.builder()
                    .savingsPlanTypesWithStrings(plan.planType())
                    .savingsPlanPaymentOptionsWithStrings(plan.paymentOption())
                    .productsWithStrings("EC2").serviceCodesWithStrings("AmazonEC2").operations("RunInstances")
                    .filters(filter("region", List.of(region)), filter("instanceType", List.copyOf(instanceTypes)),
                            filter("tenancy", List.of("shared")), filter("productDescription", List.of(spotProduct)))
                    .maxResults(1000).nextToken(token).build();
            DescribeSavingsPlansOfferingRatesResponse response = retrier.call("DescribeSavingsPlansOfferingRates " + region,
                    () -> client.describeSavingsPlansOfferingRates(request));
            calls++;
            for (SavingsPlanOfferingRate r : response.searchResults()) {
                if (r.savingsPlanOffering() == null || r.savingsPlanOffering().durationSeconds() == null
                        || r.savingsPlanOffering().durationSeconds() != seconds || !"Hrs".equals(r.unitAsString())) {
                    continue;
                }
                String type = null;
                for (SavingsPlanOfferingRateProperty p : r.properties()) {
                    if ("instanceType".equals(p.name())) {
                        type = p.value();
                    }
                }
                if (type != null && instanceTypes.contains(type)) {
                    out.put(type, new BigDecimal(r.rate()).movePointRight(6).setScale(0, RoundingMode.HALF_EVEN).longValueExact());
                }
            }
            token = response.nextToken();
        } while (token != null && !token.isEmpty());
        return out;
    }

    private static SavingsPlanOfferingRateFilterElement filter(String name, List<String> values) {
        return SavingsPlanOfferingRateFilterElement.builder().name(name).values(values).build();
    }

    int calls() {
        return calls;
    }
}
