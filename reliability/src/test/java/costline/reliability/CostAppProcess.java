package costline.reliability;

import costline.streams.runtime.StreamsRunner;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * A cost-app instance in a JVM of its own, so a test can kill it like a crashed host (SIGKILL: no commit, no leaving
 * the group, its open transaction left to time out). Argument: a properties file of settings. Prints RUNNING once the
 * app runs, then runs until killed.
 */
public final class CostAppProcess {

    static final String READY = "RUNNING";

    private CostAppProcess() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> settings = new HashMap<>();
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of(args[0]))) {
            p.load(r);
        }
        p.stringPropertyNames().forEach(k -> settings.put(k, p.getProperty(k)));
        StreamsRunner runner = CostPipeline.startCostApp(settings);
        System.out.println(READY);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
        runner.close();
    }

    /** Starts the instance with the test's class path; its output goes to {@code log}. */
    static Process launch(Map<String, String> settings, Path dir, String name) throws IOException {
        Properties p = new Properties();
        p.putAll(settings);
        Path file = dir.resolve(name + ".properties");
        try (var w = Files.newBufferedWriter(file)) {
            p.store(w, "cost app " + name);
        }
        Path log = dir.resolve(name + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx384m", "-Dsun.net.httpserver.nodelay=true",
                "-cp", System.getProperty("java.class.path"), CostAppProcess.class.getName(), file.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static void awaitReady(Process process, Path dir, String name, long timeoutMs) throws Exception {
        Path log = dir.resolve(name + ".log");
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited: " + Files.readString(log));
            }
            if (Files.exists(log) && Files.readAllLines(log).contains(READY)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(name + " not running after " + timeoutMs + " ms: " + Files.readString(log));
    }
}
