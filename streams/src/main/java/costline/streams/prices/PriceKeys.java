package costline.streams.prices;

import costline.events.CloudPlacement;
import costline.events.GpuSample;
import costline.events.PriceEntry;
import costline.events.Site;
import costline.pricing.CloudPriceKeys;

/**
 * Price keys. The catalog's price key is {@code onprem:<gpu model>} or {@code <provider>:<region>:<instance type>};
 * spot prices of one zone are {@code <provider>:<region>:<instance type>:spot:<zone>} ({@link CloudPriceKeys}).
 * On the compacted gpu.prices topic each version of a price is its own record, keyed
 * {@code <price key>@<effective_from, epoch ms, 15 digits>}: compaction then keeps every version, and the
 * versions of one price sort by time, so "the version in force at t" is one reverse range lookup.
 */
public final class PriceKeys {

    /** Zero-padded width of the epoch-millisecond part of a topic key. */
    static final int TIME_DIGITS = 15;

    private PriceKeys() {
    }

    public static String onPrem(String gpuModel) {
        return "onprem:" + gpuModel;
    }

    public static String cloud(String provider, String region, String instanceType) {
        return CloudPriceKeys.instance(provider, region, instanceType);
    }

    /** The price key a sample is charged under, or null when the sample lacks what names it. */
    public static String of(GpuSample sample) {
        if (sample.getSite() == Site.ONPREM) {
            return onPrem(sample.getGpuModel());
        }
        CloudPlacement c = sample.getCloud();
        return c == null ? null : cloud(c.getProvider(), c.getRegion(), c.getInstanceType());
    }

    /**
     * The price keys a sample may be charged under, in order: a spot instance (CloudPlacement.lifecycle "spot") with a
     * known zone first tries the spot price of its zone, then the rate of its instance type; every other sample has
     * one key ({@link #of}). Empty when the sample lacks what names a key.
     */
    public static java.util.List<String> candidates(GpuSample sample) {
        String key = of(sample);
        if (key == null) {
            return java.util.List.of();
        }
        CloudPlacement c = sample.getCloud();
        if (sample.getSite() == Site.CLOUD && c != null && "spot".equals(c.getLifecycle()) && c.getZone() != null) {
            return java.util.List.of(CloudPriceKeys.spot(c.getProvider(), c.getRegion(), c.getInstanceType(), c.getZone()), key);
        }
        return java.util.List.of(key);
    }

    /** The key of one price version on gpu.prices. */
    public static String topicKey(PriceEntry entry) {
        return versionKey(entry.getPriceKey(), entry.getEffectiveFrom().toEpochMilli());
    }

    public static String versionKey(String priceKey, long effectiveFromMs) {
        if (effectiveFromMs < 0) {
            throw new IllegalArgumentException("effective_from before 1970: " + effectiveFromMs);
        }
        return priceKey + "@" + String.format("%0" + TIME_DIGITS + "d", effectiveFromMs);
    }
}
