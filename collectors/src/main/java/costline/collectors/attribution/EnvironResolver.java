package costline.collectors.attribution;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the workload and team from the process's environment (/proc/&lt;pid&gt;/environ, as it was at exec):
 * the first key of {@code workloadKeys} that is set names the workload, the first of {@code teamKeys} the team.
 * Kubernetes puts labels or the namespace there through the downward API; Slurm sets SLURM_JOB_NAME and
 * SLURM_JOB_ACCOUNT for every job step. Reading another user's environ needs root (or CAP_SYS_PTRACE).
 */
public final class EnvironResolver implements WorkloadResolver {

    private final Path procRoot;
    private final List<String> workloadKeys;
    private final List<String> teamKeys;

    public EnvironResolver(Path procRoot, List<String> workloadKeys, List<String> teamKeys) {
        this.procRoot = procRoot;
        this.workloadKeys = List.copyOf(workloadKeys);
        this.teamKeys = List.copyOf(teamKeys);
    }

    @Override
    public String name() {
        return "env";
    }

    @Override
    public Optional<Workload> resolve(int pid, String gpuUuid) {
        return ProcFiles.read(procRoot, pid, "environ").flatMap(this::fromEnviron);
    }

    /** One variable of a process's environment at exec; empty when unset, or the process is gone or unreadable. */
    public static Optional<String> variable(Path procRoot, int pid, String key) {
        return ProcFiles.read(procRoot, pid, "environ").map(environ -> parse(environ).get(key));
    }

    Optional<Workload> fromEnviron(String environ) {
        Map<String, String> env = parse(environ);
        String workload = first(env, workloadKeys);
        return workload == null ? Optional.empty() : Optional.of(new Workload(workload, first(env, teamKeys)));
    }

    private static String first(Map<String, String> env, List<String> keys) {
        for (String key : keys) {
            String value = env.get(key);
            if (value != null && !value.isBlank()) {
                return value.trim();
            }
        }
        return null;
    }

    /** environ is NUL-separated KEY=VALUE entries. */
    static Map<String, String> parse(String environ) {
        Map<String, String> env = new HashMap<>();
        for (String entry : environ.split("\0")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.putIfAbsent(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return env;
    }
}
