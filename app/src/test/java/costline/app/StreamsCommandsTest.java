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

    @Test
    void everyCommandThatReadsSettingsRefusesOldAndMisspeltKeys(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path old = java.nio.file.Files.writeString(dir.resolve("old.properties"),
                "kafka.bootstrap.servers=127.0.0.1:1\nschema.registry.url=mock://x\ncost.emit.interval.ms=500\n");
        java.nio.file.Path typo = java.nio.file.Files.writeString(dir.resolve("typo.properties"),
                "kafka.bootstrap.servers=127.0.0.1:1\nschema.registry.url=mock://x\nfocus.onprem-provder=ACME\n");
        for (String[] command : new String[][] {{"streams", "run"}, {"sink", "run"}, {"report", "focus", "--month", "2026-11"},
                {"audit", "--month", "2026-11"}}) {
            String oldErr = captureErr(() -> assertThat(new CommandLine(new Costline()).execute(with(command, old)))
                    .as(String.join(" ", command)).isEqualTo(2));
            assertThat(oldErr).as(String.join(" ", command)).contains("'cost.emit.interval.ms'")
                    .contains("renamed to 'cost.emit-interval'");
            String typoErr = captureErr(() -> assertThat(new CommandLine(new Costline()).execute(with(command, typo)))
                    .as(String.join(" ", command)).isEqualTo(2));
            assertThat(typoErr).as(String.join(" ", command)).contains("'focus.onprem-provder'")
                    .contains("did you mean 'focus.onprem-provider'");
        }
    }

    private static String[] with(String[] command, java.nio.file.Path config) {
        String[] out = java.util.Arrays.copyOf(command, command.length + 2);
        out[command.length] = "--config";
        out[command.length + 1] = config.toString();
        return out;
    }

    private static String captureErr(Runnable r) {
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(err);
        }
        return buf.toString(StandardCharsets.UTF_8);
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
