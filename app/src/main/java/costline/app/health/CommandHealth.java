package costline.app.health;

import costline.app.health.HealthServer.Check;
import costline.collectors.publish.PublisherStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health endpoint and metric registry of one running command. Meters read the command's own counters through
 * strong references (gauges built with strongReference, counters' sources kept in a list): Micrometer holds function
 * meters' sources weakly, and a method reference such as
 * {@code publisher::stats} would be collected, freezing the metric at its last value.
 *
 * <p>The health endpoint and metric registry of one running command: the command reports readiness and liveness, and
 * binds the counters it keeps; the JVM's memory, GC, threads and CPU come with it. Without {@code --health-port} the
 * registry still exists (the binders cost nothing) and no port is opened.
 */
public final class CommandHealth implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CommandHealth.class);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HealthServer server;
    /** Function counters' sources, held here because Micrometer holds them weakly. */
    private final java.util.List<Object> sources = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Supplier<Check> readiness = () -> Check.notYet("starting");
    private volatile Supplier<Check> liveness = () -> Check.ok("alive");
    private JvmGcMetrics gc;

    private CommandHealth(HealthOptions options, String command) throws IOException {
        registry.config().commonTags("command", command);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        gc = new JvmGcMetrics();
        gc.bindTo(registry);
        server = options.enabled() ? HealthServer.start(options.bind, options.port, registry,
                () -> liveness.get(), () -> readiness.get()) : null;
        if (server != null) {
            log.info("health on http://{}:{}/healthz, /readyz and /metrics", options.bind, server.port());
        }
    }

    /** Starts the endpoint when {@code --health-port} is set; a port in use stops start-up naming it. */
    public static CommandHealth start(HealthOptions options, String command) {
        options.validate();
        try {
            return new CommandHealth(options, command);
        } catch (IOException e) {
            throw new IllegalArgumentException("--health-port " + options.port + " cannot be opened on "
                    + options.bind + " (" + e.getMessage() + "): choose a free port", e);
        }
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public void readiness(Supplier<Check> check) {
        this.readiness = check;
    }

    public void liveness(Supplier<Check> check) {
        this.liveness = check;
    }

    /** The port it serves on, or -1 when off. */
    public int port() {
        return server == null ? -1 : server.port();
    }

    /** A collector publisher's counters, as costline_samples_*. */
    public void bindPublisher(Supplier<PublisherStats> stats) {
        publisherCounter("costline.samples.accepted", "samples taken into the publisher's buffer", stats,
                PublisherStats::accepted);
        publisherCounter("costline.samples.published", "samples the brokers acknowledged (acks=all)", stats,
                PublisherStats::published);
        publisherCounter("costline.samples.dropped", "samples dropped because the buffer was full", stats,
                PublisherStats::dropped);
        publisherCounter("costline.samples.failed", "samples Kafka rejected for good", stats, PublisherStats::failed);
        publisherCounter("costline.samples.retried", "sends repeated after a retriable failure", stats,
                PublisherStats::retried);
        Gauge.builder("costline.samples.buffered", stats, s -> s.get().pending())
                .description("samples held, not yet acknowledged").strongReference(true).register(registry);
    }

    /** A monotonic count read from the command's own counters. */
    public <T> void counter(String name, String description, T source, ToDoubleFunction<T> read) {
        sources.add(source);
        FunctionCounter.builder(name, source, read).description(description).register(registry);
    }

    private void publisherCounter(String name, String description, Supplier<PublisherStats> stats,
                                  ToDoubleFunction<PublisherStats> read) {
        sources.add(stats);
        FunctionCounter.builder(name, stats, s -> read.applyAsDouble(s.get())).description(description)
                .register(registry);
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        if (gc != null) {
            gc.close();
        }
        registry.close();
    }
}
