package costline.collectors.publish;

import costline.events.CloudPlacement;
import costline.events.GpuSample;
import costline.events.WorkloadShare;
import costline.schemas.Names;
import costline.schemas.Names.Kind;
import costline.schemas.Topics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The names of a sample put under the one rule ({@link Names}) where every collector's sample leaves for Kafka, so
 * no collector publishes a name the pipeline would refuse, whichever source it read the name from (process
 * environment, cgroup, pod label, EC2 tag, NVML).
 *
 * <ul>
 *   <li>Every name goes through {@link Names#normalise}: characters outside the rule become {@code _}, the length is
 *       cut, and a reserved name gets a suffix ({@code unallocated} from a pod label becomes {@code unallocated_}).</li>
 *   <li>The one exception is the collectors' own marker of a GPU with no process: a share named
 *       {@link Topics#UNALLOCATED} with no team and no pid, which passes unchanged.</li>
 *   <li>Shares whose names become equal are merged (shares summed, pid dropped), so a sample never holds one workload
 *       twice. A workload name with nothing left is {@value #NO_NAME}; a team with nothing left is unknown (null).</li>
 *   <li>A sample whose GPU id, host, GPU model or cloud placement has nothing left cannot be attributed to a GPU:
 *       {@link #normalise} returns null and the publisher refuses it (counted, logged).</li>
 * </ul>
 */
public final class SampleNames {

    /** Workload name of a share whose raw name had no allowed character at all. */
    public static final String NO_NAME = "_";

    private SampleNames() {
    }

    /** The sample with valid names, the same object when all were valid already; null when it has no usable GPU id,
     *  host, model or placement. */
    public static GpuSample normalise(GpuSample s) {
        if (allValid(s)) {
            return s;
        }
        GpuSample.Builder b = GpuSample.newBuilder(s);
        String gpuId = Names.normalise(s.getGpuId());
        String host = Names.normalise(s.getHost());
        String model = Names.normalise(s.getGpuModel());
        if (empty(gpuId) || empty(host) || empty(model)) {
            return null;
        }
        b.setGpuId(gpuId).setHost(host).setGpuModel(model);
        CloudPlacement c = s.getCloud();
        if (c != null) {
            CloudPlacement.Builder cb = CloudPlacement.newBuilder(c)
                    .setRegion(Names.normalise(c.getRegion()))
                    .setInstanceType(Names.normalise(c.getInstanceType()))
                    .setInstanceId(Names.normalise(c.getInstanceId()));
            if (empty(cb.getRegion()) || empty(cb.getInstanceType()) || empty(cb.getInstanceId())) {
                return null;
            }
            b.setCloud(cb.build());
        }
        Map<List<String>, WorkloadShare> merged = new LinkedHashMap<>();
        for (WorkloadShare w : s.getWorkloads()) {
            WorkloadShare n = marker(w) ? w : normalise(w);
            merged.merge(java.util.Arrays.asList(n.getWorkload(), n.getTeam()), n, (a, x) -> WorkloadShare.newBuilder(a)
                    .setShare(a.getShare() + x.getShare()).setPid(null).build());
        }
        b.setWorkloads(new ArrayList<>(merged.values()));
        return b.build();
    }

    private static WorkloadShare normalise(WorkloadShare w) {
        String workload = Names.normalise(w.getWorkload());
        String team = Names.normalise(w.getTeam());
        return WorkloadShare.newBuilder(w)
                .setWorkload(empty(workload) ? NO_NAME : workload)
                .setTeam(empty(team) ? null : team)
                .build();
    }

    private static boolean allValid(GpuSample s) {
        boolean ok = Names.valid(Kind.GPU_ID, s.getGpuId()) && Names.valid(Kind.HOST, s.getHost())
                && Names.valid(Kind.GPU_MODEL, s.getGpuModel());
        CloudPlacement c = s.getCloud();
        if (ok && c != null) {
            ok = Names.valid(Kind.REGION, c.getRegion()) && Names.valid(Kind.INSTANCE_TYPE, c.getInstanceType())
                    && Names.valid(Kind.INSTANCE_ID, c.getInstanceId());
        }
        java.util.Set<List<String>> seen = new java.util.HashSet<>();
        for (WorkloadShare w : s.getWorkloads()) {
            if (!ok) {
                break;
            }
            ok = (marker(w) || (Names.valid(Kind.WORKLOAD, w.getWorkload())
                    && (w.getTeam() == null || Names.valid(Kind.TEAM, w.getTeam()))))
                    && seen.add(java.util.Arrays.asList(w.getWorkload(), w.getTeam()));
        }
        return ok;
    }

    /** What {@code Attributor} writes for a GPU with no process. */
    static boolean marker(WorkloadShare w) {
        return Topics.UNALLOCATED.equals(w.getWorkload()) && w.getTeam() == null && w.getPid() == null;
    }

    private static boolean empty(String s) {
        return Objects.requireNonNullElse(s, "").isEmpty();
    }
}
