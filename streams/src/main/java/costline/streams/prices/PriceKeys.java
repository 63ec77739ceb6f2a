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
        // the last sample's keys, per site: the next sample of a GPU names the same model or instance, and the same
        // String instances keep their hash for the price book's look-up (a key built afresh is hashed afresh)
        Site site = sample.getSite();
        CloudPlacement c = sample.getCloud();
        int slot = site == null ? 0 : site.ordinal();
        Candidates last = LAST[slot]; // immutable: a thread sees it whole, or the one before
        if (last != null && last.site() == site && java.util.Objects.equals(last.gpuModel(), sample.getGpuModel())
                && last.samePlacement(c)) {
            return last.keys();
        }
        java.util.List<String> keys = build(sample);
        LAST[slot] = new Candidates(site, sample.getGpuModel(), c == null ? null : c.getProvider(), c == null ? null : c.getRegion(),
                c == null ? null : c.getInstanceType(), c == null ? null : c.getLifecycle(), c == null ? null : c.getZone(),
                c != null, keys);
        return keys;
    }

    /** What names a sample's price keys, and the keys. */
    private record Candidates(Site site, String gpuModel, String provider, String region, String instanceType,
                              String lifecycle, String zone, boolean cloud, java.util.List<String> keys) {
        boolean samePlacement(CloudPlacement c) {
            if (c == null) {
                return !cloud;
            }
            return cloud && java.util.Objects.equals(provider, c.getProvider()) && java.util.Objects.equals(region, c.getRegion())
                    && java.util.Objects.equals(instanceType, c.getInstanceType())
                    && java.util.Objects.equals(lifecycle, c.getLifecycle()) && java.util.Objects.equals(zone, c.getZone());
        }
    }

    private static final Candidates[] LAST = new Candidates[Site.values().length + 1];

    private static java.util.List<String> build(GpuSample sample) {
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
