package costline.collectors.attribution;

import java.util.List;

/**
 * What the attributor needs of one GPU in one round.
 *
 * @param uuid         the GPU's UUID
 * @param processes    its compute processes (with their MIG instance when MIG is on)
 * @param migInstances its MIG devices when MIG is on; empty otherwise
 * @param totalSlices  how many GPU slices the GPU has when MIG is on (7 on an A100 or H100, 4 on an A30); null
 *                     when unknown or MIG is off
 */
public record GpuView(String uuid, List<GpuProcess> processes, List<MigSlice> migInstances, Integer totalSlices) {

    public GpuView {
        processes = List.copyOf(processes);
        migInstances = List.copyOf(migInstances);
    }

    public static GpuView whole(String uuid, List<GpuProcess> processes) {
        return new GpuView(uuid, processes, List.of(), null);
    }

    /**
     * One MIG device of the GPU.
     *
     * @param slices GPU slices of its GPU instance (1 for a 1g.10gb profile, 7 for 7g.80gb); null when unknown
     */
    public record MigSlice(String uuid, int gpuInstanceId, Integer computeInstanceId, Integer slices) {

        boolean runs(GpuProcess p) {
            return p.gpuInstanceId() != null && p.gpuInstanceId() == gpuInstanceId
                    && (computeInstanceId == null || p.computeInstanceId() == null
                    || computeInstanceId.equals(p.computeInstanceId()));
        }
    }
}
