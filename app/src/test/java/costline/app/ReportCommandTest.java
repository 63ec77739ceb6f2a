package costline.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ReportCommandTest {

    @Test
    void aMonthThatIsNotYearMonthIsRefusedBeforeAnyKafkaCall() {
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new Costline());
        cmd.setErr(new PrintWriter(err));
        assertThat(cmd.execute("report", "monthly", "--month", "October", "--bootstrap-servers", "127.0.0.1:1")).isEqualTo(2);
        assertThat(err.toString()).contains("--month 'October' is not YYYY-MM");
    }

    @Test
    void theCommandsAreListed() {
        StringWriter out = new StringWriter();
        CommandLine cmd = new CommandLine(new Costline());
        cmd.setOut(new PrintWriter(out));
        assertThat(cmd.execute("--help")).isZero();
        assertThat(out.toString()).contains("report").contains("breakeven");
        out.getBuffer().setLength(0);
        assertThat(cmd.execute("report", "--help")).isZero();
        assertThat(out.toString()).contains("monthly");
    }
}
