package costline.streams.finance;

import costline.events.CostRecord;

/** Why a CostRecord cannot be counted, or null when it can. Reason codes go into the dead-letter header. */
public final class CostRecordCheck {

    private CostRecordCheck() {
    }

    public static String reasonOf(CostRecord r) {
        if (r == null) {
            return "NULL_VALUE";
        }
        if (r.getWorkload() == null || r.getWorkload().isBlank()) {
            return "NO_WORKLOAD";
        }
        if (r.getGpuModel() == null || r.getGpuModel().isBlank()) {
            return "NO_GPU_MODEL";
        }
        if (r.getWindowStart() == null || r.getWindowEnd() == null || !r.getWindowEnd().isAfter(r.getWindowStart())) {
            return "BAD_WINDOW";
        }
        if (r.getGpuMs() < 0 || r.getBusyGpuMs() < 0 || r.getBusyGpuMs() > r.getGpuMs()) {
            return "BAD_GPU_TIME";
        }
        if (r.getCostMicroUsd() < 0 || r.getIdleMicroUsd() < 0 || r.getIdleMicroUsd() > r.getCostMicroUsd()) {
            return "BAD_COST";
        }
        if (r.getEnergyMj() < 0) {
            return "BAD_ENERGY";
        }
        return null;
    }
}
