package costline.streams.cost;

import costline.events.Site;
import java.util.HashMap;
import java.util.Map;

/**
 * The pending store's keys, {@code <minute, 15 digits> SEP <site> SEP <GPU model> SEP <workload>}, built once per
 * distinct (minute, site, model, workload) a task meets within a while: a GPU's samples add to the same few minutes
 * and workloads sample after sample, and building the string each time (a padded number and three concatenations
 * per piece) was a visible part of the cost thread. Keys are sorted by minute, so an emit lists them in time order
 * and a purge is one range.
 */
final class PendingKeys {

    /** Keys kept at most; the map is started afresh beyond it (the keys of old minutes are not asked for again). */
    private static final int MAX = 100_000;

    /** The key's parts; the hash computed once, names compared by reference first (they come from one decoded sample). */
    private static final class Id {
        final long minuteMs;
        final Site site;
        final String gpuModel;
        final String workload;
        final int hash;

        Id(long minuteMs, Site site, String gpuModel, String workload) {
            this.minuteMs = minuteMs;
            this.site = site;
            this.gpuModel = gpuModel;
            this.workload = workload;
            this.hash = (Long.hashCode(minuteMs) * 31 + site.ordinal()) * 31 * 31 + gpuModel.hashCode() * 31 + workload.hashCode();
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Id i && i.hash == hash && i.minuteMs == minuteMs && i.site == site
                    && (i.gpuModel == gpuModel || i.gpuModel.equals(gpuModel))
                    && (i.workload == workload || i.workload.equals(workload));
        }
    }

    private final Map<Id, String> keys = new HashMap<>();

    String of(long minuteMs, Site site, String gpuModel, String workload) {
        Id id = new Id(minuteMs, site, gpuModel, workload);
        String key = keys.get(id);
        if (key == null) {
            if (keys.size() >= MAX) {
                keys.clear();
            }
            key = SampleProcessor.pad(minuteMs) + SampleProcessor.SEP + site.name() + SampleProcessor.SEP + gpuModel
                    + SampleProcessor.SEP + workload;
            keys.put(id, key);
        }
        return key;
    }
}
