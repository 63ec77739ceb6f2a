package costline.pricing;

/**
 * Price keys of cloud prices, written once for the collectors that publish versions and the topologies that look
 * them up: {@code <provider>:<region>:<instance type>} for the rate every instance of a type pays (on-demand, or a
 * committed rate), and {@code <provider>:<region>:<instance type>:spot:<zone>} for the spot price of one zone.
 */
public final class CloudPriceKeys {

    private CloudPriceKeys() {
    }

    public static String instance(String provider, String region, String instanceType) {
        return provider + ":" + region + ":" + instanceType;
    }

    public static String spot(String provider, String region, String instanceType, String zone) {
        return instance(provider, region, instanceType) + ":spot:" + zone;
    }
}
