package costline.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Native;
import costline.testkit.InProcessKafka;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** /healthz, /readyz and /metrics scraped over HTTP while the commands run against a real in-process broker. */
class HealthEndpointsTest {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Status and body, or null while nothing listens yet. */
    static HttpResponse<String> get(int port, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Thread runInBackground(String... args) {
        Thread t = new Thread(() -> new CommandLine(new Costline()).execute(args), "command-under-test");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** /readyz statuses until it answers 200 (at most {@code seconds}). */
    static List<Integer> readinessUntilReady(int port, int seconds) throws InterruptedException {
        List<Integer> seen = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = get(port, "/readyz");
            if (r != null) {
                seen.add(r.statusCode());
                if (r.statusCode() == 200) {
                    return seen;
                }
            }
            Thread.sleep(20);
        }
        return seen;
    }

    static double metric(String scrape, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(scrape);
        assertThat(m.find()).as("%s in%n%s", name, scrape).isTrue();
        return Double.parseDouble(m.group(2));
    }

    @Test
    void streamsRunIsNotReadyUntilItsAppsRunAndServesTheirMetrics(@TempDir Path dir) throws Exception {
        try (InProcessKafka kafka = InProcessKafka.start()) {
            Path config = dir.resolve("costline.properties");
            Files.writeString(config, String.join("\n",
                    "kafka.bootstrap.servers=" + kafka.bootstrapServers(),
                    "schema.registry.url=mock://health-streams",
                    "streams.state.dir=" + dir.resolve("state"),
                    "topics.partitions=1", ""));
            int port = freePort();
            Thread command = runInBackground("streams", "run", "--config", config.toString(), "--topology", "cost",
                    "--health-port", String.valueOf(port), "--health-bind", "127.0.0.1");
            try {
                List<Integer> statuses = readinessUntilReady(port, 90);
                // the endpoint answers before the topology runs: 503 first, then 200 once every app is RUNNING
                assertThat(statuses).first().isEqualTo(503);
                assertThat(statuses).last().isEqualTo(200);
                assertThat(get(port, "/readyz").body()).contains("RUNNING");
                assertThat(get(port, "/healthz").statusCode()).isEqualTo(200);

                HttpResponse<String> metrics = get(port, "/metrics");
                assertThat(metrics.statusCode()).isEqualTo(200);
                assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
                String scrape = metrics.body();
                // the Streams client's own metrics (consumer lag among them) and the JVM's, tagged with the command
                assertThat(scrape).contains("kafka_consumer_fetch_manager_records_lag_max")
                        .contains("command=\"streams\"").contains("jvm_memory_used_bytes");
            } finally {
                command.interrupt();
                command.join(60_000);
            }
            assertThat(command.isAlive()).isFalse();
        }
    }

    @Test
    void sinkRunIsReadyOnceItPollsAndServesItsCountersAndLag(@TempDir Path dir) throws Exception {
        try (InProcessKafka kafka = InProcessKafka.start();
             costline.embedded.EmbeddedQuestDb store = costline.embedded.EmbeddedQuestDb.start(dir.resolve("store"))) {
            kafka.createTopics(1, "gpu.samples", "gpu.cost", "gpu.drift", "gpu.breakeven", "gpu.alerts",
                    "gpu.rollup.monthly", "gpu.sink.dlq");
            Path token = Files.writeString(dir.resolve("token"), "test-token");
            Path config = dir.resolve("costline.properties");
            Files.writeString(config, String.join("\n",
                    "kafka.bootstrap.servers=" + kafka.bootstrapServers(),
                    "schema.registry.url=mock://health-sink",
                    "influx.url=" + store.url(),
                    "influx.token.file=" + token, ""));
            int port = freePort();
            Thread command = runInBackground("sink", "run", "--config", config.toString(),
                    "--health-port", String.valueOf(port), "--health-bind", "127.0.0.1");
            try {
                List<Integer> statuses = readinessUntilReady(port, 60);
                assertThat(statuses).last().isEqualTo(200);
                assertThat(get(port, "/readyz").body()).contains("polling");
                // one GPU sample through Kafka: the sink writes one gpu_sample point and counts it
                try (var publisher = costline.collectors.publish.KafkaSamplePublisher.create(
                        new costline.collectors.publish.PublisherSettings(kafka.bootstrapServers(), "mock://health-sink",
                                "gpu.samples", 100, Duration.ofMinutes(10), "health-test", java.util.Map.of()))) {
                    publisher.accept(costline.events.GpuSample.newBuilder()
                            .setSampleTime(java.time.Instant.now()).setIntervalMs(1000)
                            .setSource(costline.events.Source.NVML).setSite(costline.events.Site.ONPREM)
                            .setHost("n1").setGpuId("GPU-1").setGpuIndex(0).setGpuModel("NVIDIA H100 80GB HBM3")
                            .setUtilGpuPct(50f).build());
                }
                System.gc();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                String scrape = get(port, "/metrics").body();
                while (metric(scrape, "costline_sink_points_written_total") < 1 && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    scrape = get(port, "/metrics").body();
                }
                assertThat(metric(scrape, "costline_sink_points_written_total")).isEqualTo(1);
                assertThat(metric(scrape, "costline_sink_dead_lettered_total")).isZero();
                assertThat(scrape).contains("costline_sink_consumer_lag_max").contains("command=\"sink\"");
            } finally {
                command.interrupt();
                command.join(60_000);
            }
        }
    }

    @Test
    void collectNvmlIsReadyAfterItsFirstRoundAndCountsWhatItPublished(@TempDir Path dir) throws Exception {
        CollectNvmlCommandTest.compileFake();
        CollectNvmlCommandTest.Fake fake = Native.load(CollectNvmlCommandTest.library.toString(),
                CollectNvmlCommandTest.Fake.class);
        fake.fake_reset(2);
        try (InProcessKafka kafka = InProcessKafka.start()) {
            kafka.createTopics(1, "gpu.samples");
            int port = freePort();
            Thread command = runInBackground("collect", "nvml", "--nvml-library",
                    CollectNvmlCommandTest.library.toString(), "--host", "n1", "--interval", "200ms",
                    "--bootstrap-servers", kafka.bootstrapServers(), "--schema-registry-url", "mock://health-nvml",
                    "--kubernetes", "off", "--health-port", String.valueOf(port), "--health-bind", "127.0.0.1");
            try {
                List<Integer> statuses = readinessUntilReady(port, 60);
                assertThat(statuses).last().isEqualTo(200);
                assertThat(get(port, "/healthz").statusCode()).isEqualTo(200);
                // Micrometer holds a function counter's source weakly: a collected source freezes the metric
                System.gc();
                // two GPUs a round: samples are built, and the brokers acknowledge them
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                String scrape = get(port, "/metrics").body();
                while (metric(scrape, "costline_samples_published_total") < 4 && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    scrape = get(port, "/metrics").body();
                }
                assertThat(metric(scrape, "costline_samples_published_total")).isGreaterThanOrEqualTo(4);
                assertThat(metric(scrape, "costline_collector_samples_total"))
                        .isGreaterThanOrEqualTo(metric(scrape, "costline_samples_published_total"));
                assertThat(metric(scrape, "costline_samples_dropped_total")).isZero();
                assertThat(scrape).contains("costline_samples_buffered").contains("command=\"collect-nvml\"");
            } finally {
                command.interrupt();
                command.join(60_000);
            }
        }
    }
}
