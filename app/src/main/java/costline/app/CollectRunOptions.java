package costline.app;

import costline.collectors.poll.Poller;
import costline.collectors.poll.PollSchedule;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Option;

/**
 * {@code --once} and {@code --json}, shared by every {@code collect} subcommand (a picocli mixin), and the one way a
 * polling collector is run: start, then poll once and exit (exit code 1 when a scope failed) or poll on the cadence
 * until the process is stopped.
 */
final class CollectRunOptions {

    @Option(names = "--once", description = "Poll once and exit (exit code 1 when a region or source failed).")
    boolean once;

    @Option(names = "--json", description = "Print what would be published to stdout as JSON lines instead of publishing it.")
    boolean json;

    int run(Poller poller, String name, PrintWriter out, PrintWriter err) throws InterruptedException {
        poller.start();
        if (once) {
            Poller.Result result = poller.pollOnce();
            out.flush();
            result.failures().forEach((region, t) -> err.println("region " + region + " failed: " + t.getMessage()));
            err.println(name + ": " + result.summary());
            err.flush();
            return result.failures().isEmpty() ? 0 : 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
        try (PollSchedule schedule = PollSchedule.start(poller, name)) {
            stopped.await();
        }
        return 0;
    }
}
