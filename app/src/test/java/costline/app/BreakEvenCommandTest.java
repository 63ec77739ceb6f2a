package costline.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BreakEvenCommandTest {

    @TempDir
    Path dir;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(String... args) {
        CommandLine cmd = new CommandLine(new Costline());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        return cmd.execute(args);
    }

    @Test
    void anHourOfHistoryIsInsufficientHistoryNotBuy() {
        // Defect 5 on the command line: the classic case observed for one hour (1/24 day, printed 0.04) gives no advice.
        Path png = dir.resolve("short.png");
        int code = run("breakeven", "--gpus", "8", "--busy-hours", "24", "--cloud-instance-hourly", "32",
                "--server-price", "160000", "--yearly-ops", "20000", "--observed", "1h", "--chart", png.toString());
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Recommendation: INSUFFICIENT_HISTORY (0.04 days observed, at least 14.00 needed")
                .doesNotContain("BUY");
        assertThat(png).doesNotExist();
        // with the minimum met, the same figures give BUY
        out.getBuffer().setLength(0);
        assertThat(run("breakeven", "--gpus", "8", "--busy-hours", "24", "--cloud-instance-hourly", "32",
                "--server-price", "160000", "--yearly-ops", "20000", "--observed", "14d", "--chart", png.toString())).isZero();
        assertThat(out.toString()).contains("Recommendation: BUY (N* = 8)");
    }

    @Test
    void theClassicCaseFromFlagsPrintsBuyAndDrawsTheChart() throws Exception {
        Path png = dir.resolve("classic.png");
        int code = run("breakeven", "--gpus", "8", "--busy-hours", "24", "--cloud-instance-hourly", "32",
                "--server-price", "160000", "--yearly-ops", "20000", "--chart", png.toString(),
                "--width", "900", "--height", "500");

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains("Recommendation: BUY (N* = 8), break-even 7.4 months")
                .contains("$4.00 per GPU-hour")
                .containsPattern("buy \\(peak\\)\\s+8\\s+\\$160,000.00\\s+\\$0.00\\s+\\$1,666.67\\s+7.4 mo");
        byte[] bytes = Files.readAllBytes(png);
        assertThat(bytes).startsWith(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(900);
        assertThat(image.getHeight()).isEqualTo(500);
    }

    @Test
    void aYamlScenarioBusyFourHoursADayStaysInTheCloud() throws Exception {
        Path scenario = dir.resolve("batch.yaml");
        Files.writeString(scenario, """
                demand:
                  gpus: 8
                  busy_hours_per_day: 4
                cloud:
                  instance_hourly_usd: 32
                  gpus_per_instance: 8
                onprem:
                  server_price_usd: 160000
                  gpus_per_server: 8
                  amortization_months: 36
                  yearly_ops_usd: 20000
                """);
        int code = run("breakeven", "--scenario", scenario.toString(), "--chart", dir.resolve("b.png").toString());
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Recommendation: STAY_CLOUD (N* = 0), yearly savings $0.00")
                .contains("0.1667");
        assertThat(Files.size(dir.resolve("b.png"))).isPositive();
    }

    @Test
    void aJsonScenarioWithAProfileAndAFlagOverride() throws Exception {
        Path scenario = dir.resolve("fleet.json");
        Files.writeString(scenario, """
                {"demand": {"hourly_profile": [8,8,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4]},
                 "cloud": {"gpu_hourly_usd": "4"},
                 "onprem": {"server_price_usd": "160000", "yearly_ops_usd": "20000",
                            "board_power_w": 400, "pue": 1.4, "energy_usd_per_kwh": "0.12"},
                 "horizon_months": 24}
                """);
        int code = run("breakeven", "--scenario", scenario.toString(), "--chart", dir.resolve("h.png").toString());
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Recommendation: HYBRID (N* = 4)")
                .contains("$0.07 per busy GPU-hour of power");

        out.getBuffer().setLength(0);
        // the same file with a cloud price cut: renting gets cheaper than owning the base
        assertThat(run("breakeven", "--scenario", scenario.toString(), "--cloud-gpu-hourly", "0.5",
                "--chart", dir.resolve("h2.png").toString())).isZero();
        assertThat(out.toString()).contains("Recommendation: STAY_CLOUD");
    }

    @Test
    void badInputNamesTheKeyAndTheFix() throws Exception {
        Path scenario = dir.resolve("typo.yaml");
        Files.writeString(scenario, "demand:\n  gpu: 8\n");
        assertThat(run("breakeven", "--scenario", scenario.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("unknown key 'gpu'");

        assertThat(run("breakeven", "--gpus", "8", "--server-price", "160000")).isEqualTo(2);
        assertThat(err.toString()).contains("cloud.instance_hourly_usd (--cloud-instance-hourly)");

        assertThat(run("breakeven", "--gpus", "8", "--busy-hours", "30", "--cloud-gpu-hourly", "4",
                "--server-price", "1")).isEqualTo(2);
        assertThat(err.toString()).contains("--busy-hours").contains("0..24");
    }
}
