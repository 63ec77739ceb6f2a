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
 * Splits one GPU's interval over the workloads of its processes.
 *
 * <p>A whole GPU: the weight of a process is its SM utilization where NVML gives it for every process (and some is
 * non-zero), else its used memory (same condition), else 1 (equal split); this is what splits a time-sliced GPU
 * between the pods that share it. A GPU with MIG on is first split by its instances' slices (a 1g instance of a
 * 7-slice GPU carries 1/7 of it; slices no instance holds are {@link Workload#UNALLOCATED}), then each instance like
 * a whole GPU over the processes that run in it.
 *
 * <p>A device that runs no process goes to the pods that hold it, where a resolver knows them (Kubernetes: an idle
 * GPU a pod requested is still that pod's), in equal parts; else it is {@link Workload#UNALLOCATED}. Shares of the
 * same workload (and pod) are merged; a merged share, or one with no process, has no pid.
 */
public final class Attributor {

    /** Shares are split exactly in millionths, then written as floats: they sum to 1 within float precision. */
    private static final long SHARE_UNITS = 1_000_000L;
    private static final Workload UNALLOCATED = new Workload(Workload.UNALLOCATED, null);

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

    /** A GPU without MIG. */
    public List<WorkloadShare> attribute(String gpuUuid, List<GpuProcess> processes) {
        return attribute(GpuView.whole(gpuUuid, processes));
    }

    public List<WorkloadShare> attribute(GpuView gpu) {
        Map<Workload, Weight> weights = new LinkedHashMap<>();
        if (gpu.migInstances().isEmpty()) {
            addDevice(weights, gpu.uuid(), gpu.processes(), 1.0);
        } else {
            double[] slice = sliceFractions(gpu);
            for (int i = 0; i < gpu.migInstances().size(); i++) {
                GpuView.MigSlice instance = gpu.migInstances().get(i);
                List<GpuProcess> inside = gpu.processes().stream().filter(instance::runs).toList();
                addDevice(weights, instance.uuid(), inside, slice[i]);
            }
            double unused = slice[slice.length - 1];
            if (unused > 0) {
                weights.computeIfAbsent(UNALLOCATED, k -> new Weight()).addHolder(unused);
            }
        }
        return shares(weights);
    }

    /**
     * Each instance's fraction of the GPU, and last the fraction no instance holds. Slices known for every instance
     * and the GPU's total known: slices / total. Otherwise the instances share the GPU equally (nothing unused).
     */
    static double[] sliceFractions(GpuView gpu) {
        List<GpuView.MigSlice> instances = gpu.migInstances();
        double[] fractions = new double[instances.size() + 1];
        Integer total = gpu.totalSlices();
        int held = 0;
        boolean known = total != null && total > 0;
        for (GpuView.MigSlice m : instances) {
            known &= m.slices() != null && m.slices() > 0;
            held += m.slices() == null ? 0 : m.slices();
        }
        known &= known && held <= total;
        for (int i = 0; i < instances.size(); i++) {
            fractions[i] = known ? instances.get(i).slices() / (double) total : 1.0 / instances.size();
        }
        fractions[instances.size()] = known ? (total - held) / (double) total : 0;
        return fractions;
    }

    private void addDevice(Map<Workload, Weight> weights, String device, List<GpuProcess> processes, double part) {
        if (part <= 0) {
            return;
        }
        if (processes.isEmpty()) {
            List<Workload> holders = chain.holders(device);
            if (holders.isEmpty()) {
                weights.computeIfAbsent(UNALLOCATED, k -> new Weight()).addHolder(part);
            } else {
                for (Workload holder : holders) {
                    weights.computeIfAbsent(holder, k -> new Weight()).addHolder(part / holders.size());
                }
            }
            return;
        }
        Basis basis = basis(processes);
        double total = 0;
        double[] w = new double[processes.size()];
        for (int i = 0; i < w.length; i++) {
            GpuProcess p = processes.get(i);
            w[i] = switch (basis) {
                case SM_UTILIZATION -> p.smUtilPct();
                case USED_MEMORY -> p.usedMemoryBytes().doubleValue();
                default -> 1.0;
            };
            total += w[i];
        }
        for (int i = 0; i < w.length; i++) {
            GpuProcess p = processes.get(i);
            weights.computeIfAbsent(chain.resolve(p.pid(), device), k -> new Weight())
                    .addProcess(part * w[i] / total, p.pid());
        }
    }

    private static List<WorkloadShare> shares(Map<Workload, Weight> weights) {
        List<Map.Entry<Workload, Weight>> entries = new ArrayList<>(weights.entrySet());
        entries.sort(Comparator.comparing((Map.Entry<Workload, Weight> e) -> e.getKey().name())
                .thenComparing(e -> nullToEmpty(e.getKey().team()))
                .thenComparing(e -> nullToEmpty(e.getKey().namespace()))
                .thenComparing(e -> nullToEmpty(e.getKey().pod())));
        double[] w = entries.stream().mapToDouble(e -> e.getValue().weight).toArray();
        long[] parts = Shares.split(SHARE_UNITS, w);
        List<WorkloadShare> shares = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Workload workload = entries.get(i).getKey();
            Weight acc = entries.get(i).getValue();
            Integer pid = acc.processes == 1 && !acc.holder ? acc.pid : null;
            shares.add(WorkloadShare.newBuilder()
                    .setWorkload(workload.name())
                    .setTeam(workload.team())
                    .setShare((float) (parts[i] / (double) SHARE_UNITS))
                    .setPid(pid)
                    .setNamespace(workload.namespace())
                    .setPod(workload.pod())
                    .build());
        }
        return shares;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** Accumulated weight of one workload; pid kept while it comes from exactly one process. */
    private static final class Weight {
        double weight;
        int processes;
        int pid;
        boolean holder;

        void addProcess(double w, int processPid) {
            weight += w;
            processes++;
            pid = processPid;
        }

        void addHolder(double w) {
            weight += w;
            holder = true;
        }
    }

    public ResolverChain chain() {
        return chain;
    }
}
