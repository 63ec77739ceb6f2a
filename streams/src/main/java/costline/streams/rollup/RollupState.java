package costline.streams.rollup;

/**
 * Running totals of one month, workload, site and GPU model, as kept in the state store (JSON). Exact longs, so a
 * restore from the changelog gives the same totals.
 *
 * @param closed   the FINAL record was sent (or the month had closed before the key was first seen)
 * @param revision corrections sent so far
 */
public record RollupState(String month, String zone, String workload, String team, String site, String gpuModel,
                          long gpuMs, long busyGpuMs, long costMicroUsd, long idleMicroUsd, long energyMj,
                          long updatedAtMs, boolean closed, int revision) {

    RollupState closedNow() {
        return new RollupState(month, zone, workload, team, site, gpuModel, gpuMs, busyGpuMs, costMicroUsd, idleMicroUsd,
                energyMj, updatedAtMs, true, revision);
    }

    RollupState corrected() {
        return new RollupState(month, zone, workload, team, site, gpuModel, gpuMs, busyGpuMs, costMicroUsd, idleMicroUsd,
                energyMj, updatedAtMs, closed, revision + 1);
    }
}
