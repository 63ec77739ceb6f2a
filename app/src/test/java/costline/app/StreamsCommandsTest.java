package costline.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class StreamsCommandsTest {

    @Test
    void pricesShowPrintsTheDefaultCatalogWithHourlyRatesPerGpu() {
        String out = capture(() -> assertThat(new CommandLine(new Costline()).execute("prices", "show")).isZero());
        // p4d.24xlarge after the June 2025 cut: $21.96 / 8 = $2.745 per GPU-hour.
        assertThat(out).contains("aws:us-east-1:p4d.24xlarge").contains("$2.745000/GPU-h");
        assertThat(out).contains("onprem:NVIDIA H100 80GB HBM3");
    }

    @Test
    void aMissingSettingStopsStartUpNamingTheKey() {
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            // No settings file and (in CI) no COSTLINE_* variables: the bootstrap servers are missing.
            int code = new CommandLine(new Costline()).execute("sink", "run", "--config", "/nonexistent/costline.properties");
            assertThat(code).isEqualTo(2);
        } finally {
            System.setErr(err);
        }
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("configuration error").contains("--config");
    }

    private static String capture(Runnable r) {
        PrintStream out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(out);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
