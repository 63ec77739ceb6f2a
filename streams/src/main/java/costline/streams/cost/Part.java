package costline.streams.cost;

/**
 * One workload's part of one sample (or a sum of such parts): exact longs in the units of CostRecord. Parts add
 * and subtract exactly, which is what makes corrections (new minus old) and any-order sums exact.
 */
record Part(String workload, String team, long gpuMs, long busyGpuMs, long costMicroUsd, long idleMicroUsd,
            long energyMj, int samples) {

    Part plus(Part o) {
        return new Part(workload, o.team != null ? o.team : team, gpuMs + o.gpuMs, busyGpuMs + o.busyGpuMs,
                costMicroUsd + o.costMicroUsd, idleMicroUsd + o.idleMicroUsd, energyMj + o.energyMj, samples + o.samples);
    }

    Part minus(Part o) {
        return new Part(workload, team != null ? team : o.team, gpuMs - o.gpuMs, busyGpuMs - o.busyGpuMs,
                costMicroUsd - o.costMicroUsd, idleMicroUsd - o.idleMicroUsd, energyMj - o.energyMj, samples - o.samples);
    }

    static Part zero(String workload, String team) {
        return new Part(workload, team, 0, 0, 0, 0, 0, 0);
    }

    boolean isZero() {
        return gpuMs == 0 && busyGpuMs == 0 && costMicroUsd == 0 && idleMicroUsd == 0 && energyMj == 0 && samples == 0;
    }
}
