package costline.app.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quickstart as a user runs it, in a process of its own: SIGTERM while the fleet is being simulated and every
 * topology is busy ends the process within 10 s, its temporary data is removed after it has gone, and nothing was
 * printed to standard error (the logs went to quickstart.log).
 */
class QuickstartShutdownTest {

    @Test
    @Timeout(300)
    void sigtermMidRunEndsWithinTenSecondsAndLeavesNoTemporaryData(@TempDir Path out) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path stderr = out.resolve("stderr.txt");
        Process quickstart = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "costline.app.Costline",
                "quickstart", "--no-view", "--exit", "--days", "3", "--duration", "900s", "--out", out.resolve("outputs").toString(),
                "--nvml-library", "libnvidia-ml-absent-in-this-test.so.1")
                .redirectError(stderr.toFile()).start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(quickstart.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (Exception ignored) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            // Mid-run: the simulation is producing (progress lines) while the topologies and the sink consume.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(200);
            while (lines.stream().filter(l -> l.startsWith("progress")).count() < 3 && System.nanoTime() < deadline
                    && quickstart.isAlive()) {
                Thread.sleep(200);
            }
            assertThat(lines).as("the quickstart's output so far").anyMatch(l -> l.startsWith("progress"));
            Path data = Path.of(lines.stream().filter(l -> l.startsWith("data under ")).findFirst().orElseThrow()
                    .substring("data under ".length()).replace(" (temporary: removed at exit)", ""));
            assertThat(data).exists();

            long signalled = System.nanoTime();
            // SIGTERM through the process handle: Process.destroy() would also close our end of its output pipe
            quickstart.toHandle().destroy();
            boolean ended = quickstart.waitFor(20, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - signalled) / 1e9;
            System.out.printf("SIGTERM to exit: %.2f s%n", seconds);
            assertThat(ended).isTrue();
            assertThat(seconds).isLessThan(10.0);

            reader.join(10_000);
            assertThat(lines).anyMatch(l -> l.contains(data + " is removed in the background"));
            long removedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (Files.exists(data) && System.nanoTime() < removedBy) {
                Thread.sleep(200);
            }
            assertThat(data).doesNotExist();
            assertThat(Files.readString(stderr)).isEmpty();
            assertThat(out.resolve("outputs").resolve("quickstart.log")).exists();
        } finally {
            quickstart.destroyForcibly();
        }
    }
}
