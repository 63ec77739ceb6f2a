package costline.collectors.attribution;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the workload from the process's cgroup path (/proc/&lt;pid&gt;/cgroup), which a container runtime or
 * Slurm sets and the process cannot change: a Kubernetes pod (by UID), a Slurm job (by id), a Docker
 * container, or another OCI container (containerd, CRI-O, Podman). Both cgroup v1 (one line per controller)
 * and v2 (one {@code 0::} line), with the cgroupfs and systemd drivers, are understood. The names are ids,
 * since a cgroup carries no labels: map them to names downstream, or prefer the environment resolver.
 */
public final class CgroupResolver implements WorkloadResolver {

    // pod UID: dashes in cgroupfs paths (pod1234-...), underscores in systemd slices (pod1234_...)
    private static final Pattern K8S_POD = Pattern.compile(
            "kubepods.*?pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})");
    private static final Pattern SLURM_JOB = Pattern.compile("slurm.*?/job_(\\d+)(?:/|$)");
    private static final Pattern DOCKER = Pattern.compile("(?:/docker/|docker-)([0-9a-f]{64})");
    private static final Pattern OCI = Pattern.compile("(?:cri-containerd-|crio-|libpod-|containerd/)([0-9a-f]{64})");

    private final Path procRoot;

    public CgroupResolver(Path procRoot) {
        this.procRoot = procRoot;
    }

    @Override
    public String name() {
        return "cgroup";
    }

    @Override
    public Optional<Workload> resolve(int pid, String gpuUuid) {
        return ProcFiles.read(procRoot, pid, "cgroup").flatMap(CgroupResolver::fromCgroupFile);
    }

    /** The Kubernetes pod UID of a process, from its cgroup; empty when it runs in no pod or has exited. */
    public static Optional<String> podUid(Path procRoot, int pid) {
        return ProcFiles.read(procRoot, pid, "cgroup").flatMap(content -> {
            for (String line : content.split("\n")) {
                Matcher m = K8S_POD.matcher(line);
                if (m.find()) {
                    return Optional.of(m.group(1).replace('_', '-').toLowerCase(Locale.ROOT));
                }
            }
            return Optional.empty();
        });
    }

    /** Parses the whole content of /proc/&lt;pid&gt;/cgroup ("hierarchy-id:controllers:path" lines). */
    public static Optional<Workload> fromCgroupFile(String content) {
        List<String> paths = content.lines()
                .map(line -> {
                    int first = line.indexOf(':');
                    int second = first < 0 ? -1 : line.indexOf(':', first + 1);
                    return second < 0 ? "" : line.substring(second + 1);
                })
                .filter(p -> !p.isEmpty())
                .toList();
        // The most specific kind wins over all lines: a pod's container also matches the container patterns.
        for (Pattern kind : List.of(K8S_POD, SLURM_JOB, DOCKER, OCI)) {
            for (String path : paths) {
                Matcher m = kind.matcher(path);
                if (m.find()) {
                    return Optional.of(new Workload(prefix(kind) + normalize(kind, m.group(1)), null));
                }
            }
        }
        return Optional.empty();
    }

    private static String prefix(Pattern kind) {
        if (kind == K8S_POD) {
            return "k8s-pod/";
        }
        if (kind == SLURM_JOB) {
            return "slurm-job/";
        }
        return kind == DOCKER ? "docker/" : "container/";
    }

    private static String normalize(Pattern kind, String id) {
        if (kind == K8S_POD) {
            return id.replace('_', '-').toLowerCase(Locale.ROOT);
        }
        if (kind == DOCKER || kind == OCI) {
            return id.substring(0, 12); // the short id docker ps shows
        }
        return id;
    }
}
