package costline.app.report;

import costline.schemas.Topics;
import costline.events.MonthlyRollup;
import costline.events.Site;
import java.util.Collection;

/**
 * The report's headline figures, summed exactly (micro-USD, GPU-ms) over a month's rollups and rounded once when
 * shown, as the CSV's TOTAL row does. Owned GPU time that no sample covered comes from the inventory as the
 * reserved workload {@value #UNOBSERVED}; it is shown apart from the sampled on-prem cost and counted in the total.
 */
public record MonthTotals(long cloudMicroUsd, long onPremMicroUsd, long unobservedMicroUsd, boolean hasUnobserved,
                          long idleMicroUsd, long gpuMs, long busyGpuMs) {

    /** The inventory's reserved workload for owned GPU time with no sample. */
    public static final String UNOBSERVED = Topics.UNOBSERVED;

    public static MonthTotals of(Collection<MonthlyRollup> rows) {
        long cloud = 0;
        long onPrem = 0;
        long unobserved = 0;
        boolean hasUnobserved = false;
        long idle = 0;
        long gpuMs = 0;
        long busy = 0;
        for (MonthlyRollup r : rows) {
            if (UNOBSERVED.equals(r.getWorkload())) {
                unobserved = Math.addExact(unobserved, r.getCostMicroUsd());
                hasUnobserved = true;
            } else if (r.getSite() == Site.CLOUD) {
                cloud = Math.addExact(cloud, r.getCostMicroUsd());
            } else {
                onPrem = Math.addExact(onPrem, r.getCostMicroUsd());
            }
            idle = Math.addExact(idle, r.getIdleMicroUsd());
            gpuMs = Math.addExact(gpuMs, r.getGpuMs());
            busy = Math.addExact(busy, r.getBusyGpuMs());
        }
        return new MonthTotals(cloud, onPrem, unobserved, hasUnobserved, idle, gpuMs, busy);
    }

    public long totalMicroUsd() {
        return cloudMicroUsd + onPremMicroUsd + unobservedMicroUsd;
    }

    /** Busy share of GPU time, percent; null without GPU time. */
    public Double avgUtilPct() {
        return gpuMs == 0 ? null : 100.0 * busyGpuMs / gpuMs;
    }
}
