package costline.streams.focus;

import costline.events.PriceEntry;
import costline.events.Site;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Provider and region of a cloud GPU model, read from the price catalog: a rollup row is keyed by GPU model, not by
 * instance, so the catalog entries for that model tell where it runs. The provider is known when every entry of the
 * model names one provider; the region only when they all name one region (FOCUS: RegionId is null otherwise).
 */
public final class CloudPlacements {

    /** Provider and region (null when several) of a model. */
    public record Placement(String provider, String region) { }

    private final Map<String, Set<String>> providers = new TreeMap<>();
    private final Map<String, Set<String>> regions = new TreeMap<>();

    public static CloudPlacements of(Collection<PriceEntry> catalog) {
        CloudPlacements p = new CloudPlacements();
        for (PriceEntry e : catalog) {
            if (e.getSite() == Site.CLOUD && e.getCloudPrice() != null) {
                p.providers.computeIfAbsent(e.getGpuModel(), k -> new TreeSet<>()).add(e.getCloudPrice().getProvider());
                p.regions.computeIfAbsent(e.getGpuModel(), k -> new TreeSet<>()).add(e.getCloudPrice().getRegion());
            }
        }
        return p;
    }

    public Optional<Placement> of(String gpuModel) {
        Set<String> prov = providers.get(gpuModel);
        if (prov == null || prov.size() != 1) {
            return Optional.empty();
        }
        Set<String> reg = regions.get(gpuModel);
        return Optional.of(new Placement(prov.iterator().next(), reg.size() == 1 ? reg.iterator().next() : null));
    }
}
