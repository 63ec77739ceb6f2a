package costline.collectors.attribution;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import costline.collectors.kubernetes.KubernetesAttribution;
import costline.collectors.kubernetes.KubernetesSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attribution settings, validated when built (a bad value stops start-up naming the option and the fix).
 *
 * @param chain        resolvers in the order they are asked (--attribution-chain, default env,cgroup,map)
 * @param workloadKeys environment variables naming the workload, first set wins (--workload-env)
 * @param teamKeys     environment variables naming the team, first set wins (--team-env)
 * @param mapFile      static map file, or null (--attribution-map-file, default none)
 * @param procRoot     where /proc is mounted; a containerized collector sees the host's at e.g. /host/proc
 *                     (--proc-root, default /proc)
 * @param kubernetes   the Kubernetes resolver's settings; it runs when 'kubernetes' is in the chain and
 *                     {@link KubernetesSettings#enabled()}
 */
public record AttributionSettings(List<String> chain, List<String> workloadKeys, List<String> teamKeys,
                                  Path mapFile, Path procRoot, KubernetesSettings kubernetes) {

    private static final Logger log = LoggerFactory.getLogger(AttributionSettings.class);
    public static final List<String> DEFAULT_CHAIN = List.of("kubernetes", "env", "cgroup", "map");
    /** COSTLINE_* set by hand or by the downward API; POD_NAME by the usual downward-API convention; Slurm's own. */
    public static final List<String> DEFAULT_WORKLOAD_KEYS = List.of("COSTLINE_WORKLOAD", "SLURM_JOB_NAME", "POD_NAME");
    public static final List<String> DEFAULT_TEAM_KEYS = List.of("COSTLINE_TEAM", "SLURM_JOB_ACCOUNT", "POD_NAMESPACE");
    private static final Set<String> KNOWN = Set.of("kubernetes", "env", "cgroup", "map");

    public AttributionSettings {
        chain = List.copyOf(chain);
        workloadKeys = List.copyOf(workloadKeys);
        teamKeys = List.copyOf(teamKeys);
        for (String name : chain) {
            if (!KNOWN.contains(name)) {
                throw new IllegalArgumentException("--attribution-chain names an unknown resolver '" + name
                        + "': use a comma-separated list of kubernetes, env, cgroup, map");
            }
        }
        if (chain.contains("env") && workloadKeys.isEmpty()) {
            throw new IllegalArgumentException("--workload-env is empty while the env resolver is on: name at least "
                    + "one variable (default " + String.join(",", DEFAULT_WORKLOAD_KEYS) + ")");
        }
        if (mapFile != null && !Files.isReadable(mapFile)) {
            throw new IllegalArgumentException("--attribution-map-file " + mapFile + " is not a readable file");
        }
        if (mapFile != null && !chain.contains("map")) {
            throw new IllegalArgumentException("--attribution-map-file is set but 'map' is not in --attribution-chain: "
                    + "add it, e.g. env,cgroup,map");
        }
        if (procRoot == null || !Files.isDirectory(procRoot)) {
            throw new IllegalArgumentException("--proc-root " + procRoot + " is not a directory: give where the host's "
                    + "/proc is mounted");
        }
    }

    /** Without Kubernetes settings: the resolver runs (when in the chain) with its defaults, for this host. */
    public AttributionSettings(List<String> chain, List<String> workloadKeys, List<String> teamKeys, Path mapFile,
                               Path procRoot) {
        this(chain, workloadKeys, teamKeys, mapFile, procRoot, KubernetesSettings.defaults(localNodeName()));
    }

    public static AttributionSettings defaults() {
        return new AttributionSettings(DEFAULT_CHAIN, DEFAULT_WORKLOAD_KEYS, DEFAULT_TEAM_KEYS, null, Path.of("/proc"));
    }

    private static String localNodeName() {
        String node = System.getenv("NODE_NAME");
        return node != null && !node.isBlank() ? node : "localhost";
    }

    /** Builds the attributor; the map file, when given, is read now. */
    public Attributor build(String host) {
        List<WorkloadResolver> resolvers = new ArrayList<>();
        for (String name : chain) {
            switch (name) {
                case "kubernetes" -> {
                    if (kubernetes != null && kubernetes.enabled()) {
                        resolvers.add(KubernetesAttribution.start(kubernetes, procRoot));
                    } else {
                        log.info("kubernetes attribution is off (--kubernetes {}, socket {} {})",
                                kubernetes == null ? "off" : kubernetes.mode().name().toLowerCase(java.util.Locale.ROOT),
                                kubernetes == null ? "-" : kubernetes.socket(),
                                kubernetes != null && Files.exists(kubernetes.socket()) ? "present" : "absent");
                    }
                }
                case "env" -> resolvers.add(new EnvironResolver(procRoot, workloadKeys, teamKeys));
                case "cgroup" -> resolvers.add(new CgroupResolver(procRoot));
                case "map" -> {
                    if (mapFile != null) {
                        resolvers.add(StaticMapResolver.load(mapFile, host));
                    }
                }
                default -> throw new IllegalStateException(name);
            }
        }
        return new Attributor(new ResolverChain(resolvers, procRoot));
    }
}
