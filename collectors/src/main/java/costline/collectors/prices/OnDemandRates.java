package costline.collectors.prices;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import costline.collectors.poll.Retrier;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.pricing.PricingClient;
import software.amazon.awssdk.services.pricing.model.Filter;
import software.amazon.awssdk.services.pricing.model.FilterType;
import software.amazon.awssdk.services.pricing.model.GetProductsRequest;
import software.amazon.awssdk.services.pricing.model.GetProductsResponse;

/**
 * On-demand hourly rates from the AWS Price List Query API: one GetProducts per (region, instance type), filtered to
 * the one product an instance of it is billed under (shared tenancy, the OS, no pre-installed software, no licence,
 * capacity status Used), all pages. The rate is read from terms.OnDemand.*.priceDimensions.*.pricePerUnit.USD with
 * unit Hrs, iterating the keys (they are SKU and term codes, not fixed names).
 */
final class OnDemandRates {

    /** A rate and the date AWS says it took effect (null when the term carries none). */
    record Rate(long microUsdPerHour, Instant effectiveDate, String sku) { }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final PricingClient pricing;
    private final Retrier retrier;
    private final String operatingSystem;
    private int calls;

    OnDemandRates(PricingClient pricing, Retrier retrier, String operatingSystem) {
        this.pricing = pricing;
        this.retrier = retrier;
        this.operatingSystem = operatingSystem;
    }

    Optional<Rate> rate(String region, String instanceType) {
        List<Filter> filters = List.of(
                term("regionCode", region), term("instanceType", instanceType), term("tenancy", "Shared"),
                term("operatingSystem", operatingSystem), term("preInstalledSw", "NA"), term("capacitystatus", "Used"),
                term("licenseModel", "No License required"));
        List<Rate> found = new ArrayList<>();
        String token = null;
        do {
            GetProductsRequest request = GetProductsRequest.builder().serviceCode("AmazonEC2").formatVersion("aws_v1")
                    .filters(filters).maxResults(100).nextToken(token).build();
            GetProductsResponse response = retrier.call("Pricing GetProducts " + region + " " + instanceType,
                    () -> pricing.getProducts(request));
            calls++;
            for (String doc : response.priceList()) {
                parse(doc).ifPresent(found::add);
            }
            token = response.nextToken();
        } while (token != null && !token.isEmpty());
        // The filters name one product; should AWS list more (a new attribute value), the lowest SKU decides, so
        // the choice is the same at every poll.
        return found.stream().min(java.util.Comparator.comparing(Rate::sku));
    }

    static Optional<Rate> parse(String priceListDocument) {
        JsonNode doc;
        try {
            doc = JSON.readTree(priceListDocument);
        } catch (IOException e) {
            throw new IllegalStateException("Price List returned a document that is not JSON: " + e.getMessage(), e);
        }
        String sku = doc.path("product").path("sku").asText("");
        for (Iterator<JsonNode> terms = doc.path("terms").path("OnDemand").elements(); terms.hasNext(); ) {
            JsonNode term = terms.next();
            for (Iterator<JsonNode> dims = term.path("priceDimensions").elements(); dims.hasNext(); ) {
                JsonNode dim = dims.next();
                JsonNode usd = dim.path("pricePerUnit").path("USD");
                if (usd.isTextual() && "Hrs".equals(dim.path("unit").asText())) {
                    long micro = new BigDecimal(usd.asText()).movePointRight(6).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
                    if (micro > 0) {
                        return Optional.of(new Rate(micro, effectiveDate(term.path("effectiveDate").asText(null)), sku));
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static Instant effectiveDate(String text) {
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private static Filter term(String field, String value) {
        return Filter.builder().type(FilterType.TERM_MATCH).field(field).value(value).build();
    }

    int calls() {
        return calls;
    }
}
