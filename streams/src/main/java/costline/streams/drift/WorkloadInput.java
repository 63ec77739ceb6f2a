package costline.streams.drift;

/**
 * What the workload side of the topology reads, after re-keying by workload: either one workload's share of one
 * GPU sample, or one cost record. Samples and cost records travel through one repartition topic so that both
 * reach the same task, in one order, whatever the partition counts of gpu.samples and gpu.cost.
 */
record WorkloadInput(Observation observation, CostPart cost) {

    /**
     * One workload's share of one GPU sample.
     *
     * @param utilPct GPU utilization, percent; null when the source could not read it
     */
    record Observation(String gpuId, long sampleTime, long intervalMs, Double utilPct, double share, String site,
                       String gpuModel) {
    }

    /** One CostRecord, reduced to what drift needs. */
    record CostPart(String site, String gpuModel, long windowStart, long windowEnd, long costMicroUsd, long gpuMs) {
    }

    static WorkloadInput of(Observation o) {
        return new WorkloadInput(o, null);
    }

    static WorkloadInput of(CostPart c) {
        return new WorkloadInput(null, c);
    }
}
