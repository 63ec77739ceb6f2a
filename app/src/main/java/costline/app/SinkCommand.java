package costline.app;

import costline.app.health.CommandHealth;
import costline.app.health.HealthOptions;
import costline.app.health.HealthServer;
import costline.streams.config.InfluxSettings;
import io.micrometer.core.instrument.Gauge;
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

        @picocli.CommandLine.Mixin
        HealthOptions health = new HealthOptions();

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
            Settings settings = costline.streams.runtime.SettingsCatalog.load(config, System.getenv());
            InfluxSettings influx = InfluxSettings.from(settings);
            // the sink's dead-letter topic: on a broker that does not create topics on first use (the embedded one, most
            // production ones) every dead letter would otherwise wait max.block.ms and fail
            costline.streams.runtime.StreamsRunner.createTopics(settings, java.util.Map.of(costline.schemas.Topics.GPU_SINK_DLQ, "delete"));
            InfluxSink sink = new InfluxSink(KafkaSettings.clientProperties(settings), settings.string(KafkaSettings.REGISTRY_URL), influx,
                    costline.streams.cost.CostSettings.from(settings));
            CommandHealth endpoint = CommandHealth.start(health, "sink");
            watch(endpoint, sink);
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
                endpoint.close();
                done.countDown();
            }
            return 0;
        }

        /** The sink's counters and its consumer's lag; ready once it has polled Kafka. */
        static void watch(CommandHealth endpoint, InfluxSink sink) {
            endpoint.counter("costline.sink.points.written", "points InfluxDB accepted", sink, InfluxSink::pointsWritten);
            endpoint.counter("costline.sink.batches.written", "batches InfluxDB accepted", sink, InfluxSink::batchesWritten);
            endpoint.counter("costline.sink.retries", "writes and decodes retried after a failure", sink,
                    InfluxSink::writeRetries);
            endpoint.counter("costline.sink.dead.lettered", "records sent to gpu.sink.dlq", sink, InfluxSink::deadLettered);
            endpoint.counter("costline.sink.skipped", "records that map to no point", sink, InfluxSink::skipped);
            Gauge.builder("costline.sink.consumer.lag.max", sink, s -> consumerMetric(s, "records-lag-max"))
                    .description("the largest lag, in records, of the sink's partitions").strongReference(true).register(endpoint.registry());
            endpoint.readiness(() -> consumerMetric(sink, "last-poll-seconds-ago") >= 0
                    ? HealthServer.Check.ok("ready: polling") : HealthServer.Check.notYet("not ready: not polled yet"));
        }

        /** The largest value of the consumer metric of that name (per client and per partition), -1 if none yet. */
        private static double consumerMetric(InfluxSink sink, String name) {
            double max = -1;
            for (var e : sink.consumerMetrics().entrySet()) {
                if (e.getKey().name().equals(name) && e.getValue().metricValue() instanceof Number n
                        && !Double.isNaN(n.doubleValue())) {
                    max = Math.max(max, n.doubleValue());
                }
            }
            return max;
        }
    }
}
