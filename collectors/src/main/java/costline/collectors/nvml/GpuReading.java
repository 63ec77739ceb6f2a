package costline.collectors.nvml;

import java.util.List;
import java.util.Map;

/**
 * What NVML returned for one GPU in one round, in NVML's own units, before any mapping to a GpuSample.
 * A null is a reading NVML did not give (NVML_ERROR_NOT_SUPPORTED, or another error kept in {@code errors}).
 *
 * @param readAtMillis       wall clock when the GPU was read, UTC epoch milliseconds
 * @param processSmUtil      per-process SM utilization (percent) from nvmlDeviceGetProcessUtilization,
 *                           averaged over the samples since the last round; null when NVML does not offer it
 * @param energyMillijoules  the cumulative energy counter; null when not read in this round
 * @param migTotalSlices     GPU slices of the whole GPU when MIG is on (7 on an A100 or H100); null if unknown
 * @param health             the health counters (cached between slow reads)
 * @param lost               NVML_ERROR_GPU_IS_LOST: every other reading is null
 * @param errors             function name -> NVML error name, for errors other than NOT_SUPPORTED
 */
public record GpuReading(
        int index, String uuid, String name, long readAtMillis,
        Integer utilGpuPct, Integer utilMemPct, Long memUsedBytes, Long memTotalBytes,
        Integer powerMilliwatts, Long energyMillijoules, Integer tempC, Integer smClockMhz,
        List<ProcessReading> processes, Map<Integer, Double> processSmUtil,
        Boolean migEnabled, List<MigReading> migInstances, Integer migTotalSlices,
        HealthReading health, boolean lost, Map<String, String> errors) {

    public GpuReading {
        processes = List.copyOf(processes);
        migInstances = List.copyOf(migInstances);
        errors = Map.copyOf(errors);
        processSmUtil = processSmUtil == null ? null : Map.copyOf(processSmUtil);
    }

    /** A GPU that fell off the bus: identity only. */
    static GpuReading lost(int index, String uuid, String name, long readAtMillis, HealthReading lastHealth,
                           String function) {
        return new GpuReading(index, uuid, name, readAtMillis, null, null, null, null, null, null, null, null,
                List.of(), null, null, List.of(), null, lastHealth, true,
                Map.of(function, NvmlErrors.name(NvmlLayout.ERROR_GPU_IS_LOST)));
    }

    /**
     * One compute process on the GPU. {@code usedMemoryBytes} null where the driver cannot tell; the instance ids
     * say which MIG instance it runs in, null when MIG is off.
     */
    public record ProcessReading(int pid, Long usedMemoryBytes, Integer gpuInstanceId, Integer computeInstanceId) {

        public ProcessReading(int pid, Long usedMemoryBytes) {
            this(pid, usedMemoryBytes, null, null);
        }
    }

    /** One MIG device of a GPU with MIG on; {@code slices}: GPU slices of its GPU instance, null if unknown. */
    public record MigReading(String uuid, int gpuInstanceId, Integer computeInstanceId, Long memTotalBytes,
                             Long memUsedBytes, Integer slices) {

        public MigReading(String uuid, int gpuInstanceId, Integer computeInstanceId, Long memTotalBytes,
                          Long memUsedBytes) {
            this(uuid, gpuInstanceId, computeInstanceId, memTotalBytes, memUsedBytes, null);
        }
    }

    /**
     * Health counters; each null where NVML does not offer it on this GPU.
     *
     * @param retiredPages       retired pages (both causes) or, on GPUs with row remapping, remapped rows
     * @param retirementPending  a page retirement or row remap waits for a GPU reset
     * @param lastXid            the most recent critical XID event since the collector started
     */
    public record HealthReading(Long eccCorrected, Long eccUncorrected, Long retiredPages, Boolean retirementPending,
                                Integer lastXid) {

        static final HealthReading NONE = new HealthReading(null, null, null, null, null);

        HealthReading withXid(Integer xid) {
            return new HealthReading(eccCorrected, eccUncorrected, retiredPages, retirementPending, xid);
        }
    }
}
