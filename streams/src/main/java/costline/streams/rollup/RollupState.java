package costline.streams.rollup;

/**
 * Running totals of one month, workload, site and GPU model, as kept in the state store (JSON). Exact longs, so a
 * restore from the changelog gives the same totals.
 *
 * @param closed   the FINAL record was sent (or the month had closed before the key was first seen)
 * @param revision corrections sent so far
 * @param unsent   the totals changed since the last record sent for the key: the next emit sends a MONTH_TO_DATE.
 *                 Kept in the changelogged state with the totals, so a restart between two emits still sends the
 *                 change. A state written before rollups were emitted on a schedule has no such field and reads as
 *                 false, which is right: every change was sent the moment it was counted.
 */
public record RollupState(String month, String zone, String workload, String team, String site, String gpuModel,
                          long gpuMs, long busyGpuMs, long costMicroUsd, long idleMicroUsd, long energyMj,
                          long updatedAtMs, boolean closed, int revision, boolean unsent) {

    /** The FINAL record carries these totals: nothing is left to send as month-to-date. */
    RollupState closedNow() {
        return new RollupState(month, zone, workload, team, site, gpuModel, gpuMs, busyGpuMs, costMicroUsd, idleMicroUsd,
                energyMj, updatedAtMs, true, revision, false);
    }

    /** A CORRECTION record with these totals was sent. */
    RollupState corrected() {
        return new RollupState(month, zone, workload, team, site, gpuModel, gpuMs, busyGpuMs, costMicroUsd, idleMicroUsd,
                energyMj, updatedAtMs, closed, revision + 1, false);
    }

    /** Changed since the last record sent: due at the next emit. */
    RollupState changed() {
        return unsent ? this : new RollupState(month, zone, workload, team, site, gpuModel, gpuMs, busyGpuMs, costMicroUsd,
                idleMicroUsd, energyMj, updatedAtMs, closed, revision, true);
    }

    /** The MONTH_TO_DATE record with these totals was sent. */
    RollupState sent() {
        return new RollupState(month, zone, workload, team, site, gpuModel, gpuMs, busyGpuMs, costMicroUsd, idleMicroUsd,
                energyMj, updatedAtMs, closed, revision, false);
    }
}
