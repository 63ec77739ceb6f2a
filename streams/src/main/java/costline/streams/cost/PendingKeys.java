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

    private record Id(long minuteMs, Site site, String gpuModel, String workload) {
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
