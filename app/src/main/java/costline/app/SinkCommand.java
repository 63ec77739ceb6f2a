package costline.app;

import costline.streams.config.InfluxSettings;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Settings;
import costline.streams.sink.InfluxSink;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code costline sink run}: writes the output topics to InfluxDB. */
@Command(name = "sink", mixinStandardHelpOptions = true, description = "The InfluxDB sink.",
        subcommands = {SinkCommand.Run.class})
final class SinkCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Write gpu.samples, gpu.cost, gpu.drift, gpu.breakeven, gpu.alerts and gpu.rollup.monthly to InfluxDB "
                    + "until Ctrl-C. The token comes from COSTLINE_INFLUX_TOKEN or influx.token.file only.")
    static final class Run implements java.util.concurrent.Callable<Integer> {

        @Option(names = "--config", description = "Settings file (Java properties).")
        Path config;

        @Override
        public Integer call() {
            try {
                return start();
            } catch (costline.streams.config.SettingsException e) {
                System.err.println("configuration error: " + e.getMessage());
                return 2;
            }
        }

        private Integer start() {
            Settings settings = Settings.load(config, System.getenv());
            InfluxSettings influx = InfluxSettings.from(settings);
            InfluxSink sink = new InfluxSink(KafkaSettings.clientProperties(settings), settings.string(KafkaSettings.REGISTRY_URL), influx,
                    costline.streams.cost.CostSettings.from(settings));
            CountDownLatch done = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                sink.close();
                try {
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            System.out.println("sink writing " + influx.topics() + " to " + influx.url() + " bucket " + influx.bucket());
            try {
                sink.run();
            } finally {
                sink.release();
                done.countDown();
            }
            return 0;
        }
    }
}
