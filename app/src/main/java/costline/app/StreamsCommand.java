package costline.app;

import costline.app.health.CommandHealth;
import costline.app.health.HealthOptions;
import costline.app.health.StreamsHealth;
import costline.streams.config.Settings;
import costline.streams.runtime.StreamsApp;
import costline.streams.runtime.StreamsRunner;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code costline streams run}: the Kafka Streams topologies (cost, and any other on the class path). */
@Command(name = "streams", mixinStandardHelpOptions = true, description = "Kafka Streams topologies.",
        subcommands = {StreamsCommand.Run.class})
final class StreamsCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run topologies (exactly_once_v2) until Ctrl-C. Settings: --config file and COSTLINE_* environment variables.")
    static final class Run implements java.util.concurrent.Callable<Integer> {

        @Option(names = "--config", description = "Settings file (Java properties).")
        Path config;

        @Option(names = "--topology", split = ",", description = "Topologies to run (default: all of them).")
        List<String> names;

        @picocli.CommandLine.Mixin
        HealthOptions health = new HealthOptions();

        @Override
        public Integer call() {
            try {
                return start();
            } catch (costline.streams.config.SettingsException | IllegalArgumentException e) {
                // Every topology validates its settings while it is built, before anything starts.
                System.err.println("configuration error: " + e.getMessage());
                return 2;
            }
        }

        private Integer start() {
            Settings settings = costline.streams.runtime.SettingsCatalog.load(config, System.getenv());
            List<StreamsApp> apps = StreamsRunner.discover();
            if (names != null && !names.isEmpty()) {
                List<String> known = apps.stream().map(StreamsApp::name).toList();
                for (String n : names) {
                    if (!known.contains(n)) {
                        System.err.println("unknown topology '" + n + "'; known: " + String.join(", ", known));
                        return 2;
                    }
                }
                apps = apps.stream().filter(a -> names.contains(a.name())).toList();
            }
            StreamsRunner runner = new StreamsRunner();
            CommandHealth endpoint = CommandHealth.start(health, "streams");
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                runner.close();
                endpoint.close();
                stopped.countDown();
            }));
            runner.start(settings, apps);
            StreamsHealth.watch(endpoint, runner.streams());
            System.out.println("running topologies: " + apps.stream().map(StreamsApp::name).collect(Collectors.joining(", ")));
            try {
                stopped.await();
            } catch (InterruptedException e) {
                // stopped from within the JVM (an embedding caller, a test): close what the shutdown hook would
                runner.close();
                endpoint.close();
                Thread.currentThread().interrupt();
            }
            return 0;
        }
    }
}
