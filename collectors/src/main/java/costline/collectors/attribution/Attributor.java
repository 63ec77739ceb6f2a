package costline.collectors.attribution;

import costline.events.WorkloadShare;
import costline.pricing.Shares;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Splits one GPU's interval over the workloads of its processes. The weight of a process is its SM utilization
 * where NVML gives it for every process (and some is non-zero), else its used memory (same condition), else 1
 * (equal split). Processes of one workload are merged; a merged share has no pid. A GPU with no process is
 * {@link Workload#UNALLOCATED}.
 */
public final class Attributor {

    /** Shares are split exactly in millionths, then written as floats: they sum to 1 within float precision. */
    private static final long SHARE_UNITS = 1_000_000L;

    private final ResolverChain chain;

    public Attributor(ResolverChain chain) {
        this.chain = chain;
    }

    /** Which weight a split used: for logs and tests. */
    public enum Basis { SM_UTILIZATION, USED_MEMORY, EQUAL, NONE }

    public static Basis basis(List<GpuProcess> processes) {
        if (processes.isEmpty()) {
            return Basis.NONE;
        }
        if (usable(processes, GpuProcess::smUtilPct)) {
            return Basis.SM_UTILIZATION;
        }
        if (usable(processes, p -> p.usedMemoryBytes() == null ? null : p.usedMemoryBytes().doubleValue())) {
            return Basis.USED_MEMORY;
        }
        return Basis.EQUAL;
    }

    private static boolean usable(List<GpuProcess> processes, Function<GpuProcess, Double> weight) {
        double sum = 0;
        for (GpuProcess p : processes) {
            Double w = weight.apply(p);
            if (w == null || w < 0) {
                return false;
            }
            sum += w;
        }
        return sum > 0;
    }

    public List<WorkloadShare> attribute(String gpuUuid, List<GpuProcess> processes) {
        if (processes.isEmpty()) {
            return List.of(new WorkloadShare(Workload.UNALLOCATED, null, 1.0f, null));
        }
        Basis basis = basis(processes);
        Map<Workload, double[]> weights = new LinkedHashMap<>(); // [weight, process count, pid]
        for (GpuProcess p : processes) {
            double w = switch (basis) {
                case SM_UTILIZATION -> p.smUtilPct();
                case USED_MEMORY -> p.usedMemoryBytes().doubleValue();
                default -> 1.0;
            };
            double[] acc = weights.computeIfAbsent(chain.resolve(p.pid(), gpuUuid), k -> new double[3]);
            acc[0] += w;
            acc[1]++;
            acc[2] = p.pid();
        }
        List<Map.Entry<Workload, double[]>> entries = new ArrayList<>(weights.entrySet());
        entries.sort(Comparator.comparing((Map.Entry<Workload, double[]> e) -> e.getKey().name())
                .thenComparing(e -> e.getKey().team() == null ? "" : e.getKey().team()));
        double[] w = entries.stream().mapToDouble(e -> e.getValue()[0]).toArray();
        long[] parts = Shares.split(SHARE_UNITS, w);
        List<WorkloadShare> shares = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Workload workload = entries.get(i).getKey();
            double[] acc = entries.get(i).getValue();
            Integer pid = acc[1] == 1 ? (int) acc[2] : null;
            shares.add(new WorkloadShare(workload.name(), workload.team(), (float) (parts[i] / (double) SHARE_UNITS),
                    pid));
        }
        return shares;
    }

    public ResolverChain chain() {
        return chain;
    }
}
