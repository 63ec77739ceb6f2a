package costline.streams.rollup;

import costline.events.CostRecord;
import java.time.YearMonth;

/** The rollup key, {@code month|workload|site|gpu model}: one compacted record per key on gpu.rollup.monthly. */
public final class RollupKey {

    private RollupKey() {
    }

    public static String of(YearMonth month, CostRecord r) {
        return month + "|" + r.getWorkload() + "|" + r.getSite() + "|" + r.getGpuModel();
    }
}
