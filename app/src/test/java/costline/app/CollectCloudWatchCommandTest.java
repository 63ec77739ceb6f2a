package costline.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CollectCloudWatchCommandTest {

    @TempDir
    Path dir;

    private static int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cmd = new CommandLine(new CollectCloudWatchCommand());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        return cmd.execute(args);
    }

    @Test
    void helpListsEverySetting() {
        StringWriter out = new StringWriter();
        assertThat(run(out, new StringWriter(), "--help")).isZero();
        assertThat(out.toString()).contains("--region", "--namespace", "--period", "--cadence", "--late-window",
                "--max-catch-up", "--metrics", "--workload-tag", "--team-tag", "--state-file", "--cloudwatch-endpoint",
                "--ec2-endpoint", "--discovery-refresh", "--ec2-refresh", "--retry-base-delay", "--retry-max-delay",
                "--retry-max-attempts", "--max-queries-per-call", "--once", "--bootstrap-servers", "--schema-registry-url", "--json");
    }

    @Test
    void badSettingsStopStartUpNamingTheKey() {
        StringWriter err = new StringWriter();
        assertThat(run(new StringWriter(), err, "--region", "us-east-1", "--period", "45s")).isEqualTo(2);
        assertThat(err.toString()).contains("period: 45 s is not a CloudWatch period");
        err = new StringWriter();
        assertThat(run(new StringWriter(), err, "--region", "us-east-1", "--cadence", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("cadence: 'soon' is not a duration");
        err = new StringWriter();
        assertThat(run(new StringWriter(), err, "--region", "us-east-1", "--metrics", "fan_speed")).isEqualTo(2);
        assertThat(err.toString()).contains("metrics: 'fan_speed' is not a known GPU metric");
    }

    @Test
    void anUnreachableEndpointFailsTheRegionAndTheExitCode() throws Exception {
        System.setProperty("aws.accessKeyId", "AKIDCOSTLINETEST");
        System.setProperty("aws.secretAccessKey", "costline-test-secret");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: connections are refused
        }
        String endpoint = "http://127.0.0.1:" + port;
        StringWriter err = new StringWriter();
        int code = run(new StringWriter(), err, "--region", "us-east-1", "--once", "--json", "--cloudwatch-endpoint", endpoint,
                "--ec2-endpoint", endpoint, "--retry-base-delay", "10ms", "--retry-max-delay", "20ms", "--retry-max-attempts", "2",
                "--state-file", dir.resolve("w.json").toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("region us-east-1 failed");
    }

    @Test
    void publishingNeedsKafkaSettings() {
        StringWriter err = new StringWriter();
        assertThat(run(new StringWriter(), err, "--region", "us-east-1", "--once")).isEqualTo(2);
        assertThat(err.toString()).contains("bootstrap").contains("--json");
    }

    @Test
    void durationsAcceptUnitsAndIso() {
        assertThat(CollectCloudWatchCommand.duration("k", "250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(CollectCloudWatchCommand.duration("k", "90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(CollectCloudWatchCommand.duration("k", "14d")).isEqualTo(Duration.ofDays(14));
        // one grammar with the settings: a bare number has no unit and is refused, naming the option and the grammar
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CollectCloudWatchCommand.duration("period", "90"))
                .hasMessageContaining("--period").hasMessageContaining("'90' is not a duration").hasMessageContaining("500ms");
        assertThat(CollectCloudWatchCommand.duration("k", "5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(CollectCloudWatchCommand.duration("k", "PT6H")).isEqualTo(Duration.ofHours(6));
    }
}
