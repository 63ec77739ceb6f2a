package costline.collectors.attribution;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A static map for dedicated machines: a file of lines {@code <GPU UUID or host name> <workload> [team]}
 * ({@code #} starts a comment). A GPU's own line wins over its host's line. Loaded once at start-up; a bad line
 * stops start-up naming the file and line.
 */
public final class StaticMapResolver implements WorkloadResolver {

    private final Map<String, Workload> byGpu;
    private final Workload byHost;

    StaticMapResolver(Map<String, Workload> byGpu, Workload byHost) {
        this.byGpu = Map.copyOf(byGpu);
        this.byHost = byHost;
    }

    /** Reads {@code file}, keeping the lines for GPUs and for {@code host}. */
    public static StaticMapResolver load(Path file, String host) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("attribution map file " + file + " cannot be read (" + e
                    + "): fix the path given to --attribution-map-file", e);
        }
        Map<String, Workload> gpus = new HashMap<>();
        Workload hostWorkload = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String content = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (content.isEmpty()) {
                continue;
            }
            String[] parts = content.split("\\s+");
            if (parts.length < 2 || parts.length > 3) {
                throw new IllegalArgumentException("attribution map file " + file + " line " + (i + 1)
                        + ": expected '<GPU UUID or host> <workload> [team]', got '" + content + "'");
            }
            Workload workload = new Workload(parts[1], parts.length == 3 ? parts[2] : null);
            String key = parts[0];
            if (key.startsWith("GPU-") || key.startsWith("MIG-")) {
                gpus.put(key, workload);
            } else if (key.equals(host)) {
                hostWorkload = workload;
            }
        }
        return new StaticMapResolver(gpus, hostWorkload);
    }

    @Override
    public String name() {
        return "map";
    }

    @Override
    public Optional<Workload> resolve(int pid, String gpuUuid) {
        Workload gpu = byGpu.get(gpuUuid);
        return Optional.ofNullable(gpu != null ? gpu : byHost);
    }
}
