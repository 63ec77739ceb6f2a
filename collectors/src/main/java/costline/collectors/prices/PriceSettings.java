package costline.collectors.prices;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Settings of {@code collect prices}.
 *
 * @param regions            regions whose GPU instances are priced
 * @param cadence            time between polls
 * @param spotLookback       how far back the first poll reads spot price history (later polls start at the watermark)
 * @param stateFile          the watermark file (published rates and spot prices), for restarts
 * @param operatingSystem    Price List operatingSystem (Linux) and the matching spot product description (Linux/UNIX)
 * @param savingsPlan        the Savings Plan whose committed rate prices covered instances, or empty
 * @param pinnedKeys         price keys whose hand-written catalog entry wins: no version is published for them
 * @param pricingEndpoint    endpoint override for the Price List API (tests, VPC endpoints)
 * @param pricingRegion      region of the Price List API endpoint (us-east-1, or ap-south-1 / eu-central-1)
 * @param ec2Endpoint        endpoint override for EC2
 * @param savingsPlansEndpoint endpoint override for Savings Plans
 * @param retryBaseDelay     first backoff after throttling or a 5xx, on top of the SDK's retries
 * @param retryMaxDelay      cap of one backoff
 * @param retryMaxAttempts   attempts per call
 */
public record PriceSettings(List<String> regions, Duration cadence, Duration spotLookback, Path stateFile,
                            String operatingSystem, Optional<SavingsPlan> savingsPlan, Set<String> pinnedKeys,
                            Optional<URI> pricingEndpoint, String pricingRegion, Optional<URI> ec2Endpoint,
                            Optional<URI> savingsPlansEndpoint, Duration retryBaseDelay, Duration retryMaxDelay,
                            int retryMaxAttempts) {

    /**
     * A Savings Plan that covers instances: its type, term and payment option select the offering rate.
     *
     * @param planType      Compute or EC2Instance
     * @param durationYears 1 or 3
     * @param paymentOption No Upfront, Partial Upfront or All Upfront
     * @param covered       region:instance-type pairs it covers, or "*" for every GPU instance type in use
     */
    public record SavingsPlan(String planType, int durationYears, String paymentOption, Set<String> covered) {
        public boolean covers(String region, String instanceType) {
            return covered.contains("*") || covered.contains(region + ":" + instanceType);
        }
    }

    public static PriceSettings defaults(List<String> regions) {
        return new PriceSettings(regions, Duration.ofHours(1), Duration.ofHours(3),
                Path.of(System.getProperty("user.home"), ".costline", "price-watermarks.json"), "Linux", Optional.empty(),
                Set.of(), Optional.empty(), "us-east-1", Optional.empty(), Optional.empty(), Duration.ofSeconds(1),
                Duration.ofSeconds(30), 4);
    }

    public PriceSettings validate() {
        if (regions.isEmpty()) {
            throw new IllegalArgumentException("region: name at least one region whose GPU instances to price");
        }
        if (cadence.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("cadence: " + cadence + " is shorter than a minute; prices change hourly at most");
        }
        if (spotLookback.isNegative() || spotLookback.compareTo(Duration.ofDays(90)) > 0) {
            throw new IllegalArgumentException("spot-lookback: " + spotLookback + " must be within 0..90 days (EC2 keeps 90 days)");
        }
        if (!operatingSystem.equals("Linux") && !operatingSystem.equals("Windows")) {
            throw new IllegalArgumentException("operating-system: '" + operatingSystem + "' must be Linux or Windows");
        }
        savingsPlan.ifPresent(sp -> {
            if (!sp.planType().equals("Compute") && !sp.planType().equals("EC2Instance")) {
                throw new IllegalArgumentException("savings-plan-type: '" + sp.planType() + "' must be Compute or EC2Instance");
            }
            if (sp.durationYears() != 1 && sp.durationYears() != 3) {
                throw new IllegalArgumentException("savings-plan-years: " + sp.durationYears() + " must be 1 or 3");
            }
            if (!Set.of("No Upfront", "Partial Upfront", "All Upfront").contains(sp.paymentOption())) {
                throw new IllegalArgumentException("savings-plan-payment: '" + sp.paymentOption()
                        + "' must be No Upfront, Partial Upfront or All Upfront");
            }
            if (sp.covered().isEmpty()) {
                throw new IllegalArgumentException("savings-plan-covers: name region:instance-type pairs or *");
            }
        });
        return this;
    }

    /** The spot product description that matches {@link #operatingSystem}. */
    public String spotProduct() {
        return operatingSystem.equals("Linux") ? "Linux/UNIX" : "Windows";
    }
}
