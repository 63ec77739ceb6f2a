package costline.collectors.attribution;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Real child processes with chosen environment variables, for resolvers that read /proc. */
public final class ChildProcesses implements AutoCloseable {

    private final List<Process> started = new ArrayList<>();

    /** Starts {@code sleep 60} with exactly {@code env} (plus PATH) as its environment; returns its pid. */
    public int start(Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder("sleep", "60");
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            started.add(p);
            return (int) p.pid();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start a child process: " + e, e);
        }
    }

    @Override
    public void close() {
        started.forEach(Process::destroyForcibly);
    }
}
