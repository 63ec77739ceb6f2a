package costline.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CostlineTest {

    @Test
    void helpListsTheSubcommands() {
        StringWriter out = new StringWriter();
        CommandLine cmd = new CommandLine(new Costline());
        cmd.setOut(new PrintWriter(out));
        int code = cmd.execute("--help");
        assertThat(code).isZero();
        assertThat(out.toString()).contains("Usage: costline").contains("registry");
    }

    @Test
    void unknownSubcommandFailsWithUsage() {
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new Costline());
        cmd.setErr(new PrintWriter(err));
        assertThat(cmd.execute("no-such-command")).isEqualTo(2);
        assertThat(err.toString()).contains("Unmatched argument");
    }
}
