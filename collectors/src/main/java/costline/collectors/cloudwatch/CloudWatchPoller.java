package costline.collectors.cloudwatch;

import costline.collectors.poll.PublishLedger;
import costline.collectors.poll.Retrier;
import costline.collectors.poll.WatermarkStore;
import costline.collectors.SampleSink;
import costline.collectors.poll.Poller;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls CloudWatch GPU metrics in every configured region on the cadence and hands GpuSamples to a
 * {@link SampleSink}. Regions are polled side by side and independently: one that fails (throttled past
 * every retry, unreachable, access denied) is logged and read again from its watermark at the next poll,
 * while the others go on.
 */
public final class CloudWatchPoller implements Poller {

    private static final Logger LOG = LoggerFactory.getLogger(CloudWatchPoller.class);

    /** One poll over every region: each region's report, or the error that stopped it. */
    public record Cycle(List<RegionPoller.Report> reports, Map<String, Throwable> failures) implements Poller.Result {
        @Override
        public String summary() {
            return reports.size() + " region(s) polled with " + getMetricDataCalls() + " GetMetricData calls, " + published()
                    + " samples published, " + failures.size() + " failed";
        }

        public int getMetricDataCalls() {
            return reports.stream().mapToInt(RegionPoller.Report::getMetricDataCalls).sum();
        }

        public int published() {
            return reports.stream().mapToInt(r -> r.first() + r.corrections() + r.noAgentSamples()).sum();
        }
    }

    private final CloudWatchSettings settings;
    private final Clock clock;
    private final WatermarkStore store;
    private final Map<String, RegionPoller> pollers = new LinkedHashMap<>();
    private final Map<String, AtomicInteger> consecutiveFailures = new LinkedHashMap<>();
    private final List<AwsClients> clients = new ArrayList<>();
    private final ExecutorService workers;
    private ScheduledExecutorService schedule;

    public CloudWatchPoller(CloudWatchSettings settings, SampleSink sink, Clock clock) {
        this(settings, sink, clock, Retrier.of(settings.retryBaseDelay(), settings.retryMaxDelay(), settings.retryMaxAttempts()));
    }

    CloudWatchPoller(CloudWatchSettings settings, SampleSink sink, Clock clock, Retrier retrier) {
        this.settings = settings.validate();
        this.clock = clock;
        this.store = new WatermarkStore(settings.stateFile());
        Map<String, PublishLedger> ledgers = store.load();
        for (String region : settings.regions()) {
            AwsClients c = new AwsClients(settings, region);
            clients.add(c);
            PublishLedger ledger = ledgers.getOrDefault(region, PublishLedger.empty());
            if (ledger.watermark() != null) {
                LOG.info("{}: resuming at watermark {} with {} open (GPU, period) entries from {}", region,
                        ledger.watermark(), ledger.openCount(), store.file());
            }
            pollers.put(region, new RegionPoller(region, settings, c.cloudWatch(), c.ec2(), retrier, sink, ledger));
            consecutiveFailures.put(region, new AtomicInteger());
        }
        this.workers = Executors.newFixedThreadPool(Math.min(pollers.size(), 8), r -> {
            Thread t = new Thread(r, "cloudwatch-poller");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Discovers the GPU metrics of every region and logs what polling them costs per month. A region whose
     * discovery fails is logged and discovered again at its first poll.
     */
    @Override
    public void start() {
        discover();
    }

    @Override
    public java.time.Duration cadence() {
        return settings.cadence();
    }

    public ApiCostEstimate discover() {
        long total = 0;
        for (var e : runInEveryRegion(p -> p.discover(clock.instant())).entrySet()) {
            if (e.getValue() instanceof Integer n) {
                total += n;
            } else {
                LOG.error("{}: discovery failed: {}; it is tried again at the first poll and left out of the estimate",
                        e.getKey(), Retrier.describe((Throwable) e.getValue()));
            }
        }
        ApiCostEstimate estimate = ApiCostEstimate.of(total, settings.cadence());
        LOG.info("{} across {} region(s)", estimate.describe(settings.cadence()), settings.regions().size());
        return estimate;
    }

    /** One poll of every region, then the watermarks are saved. */
    @Override
    public Cycle pollOnce() {
        List<RegionPoller.Report> reports = new ArrayList<>();
        Map<String, Throwable> failures = new LinkedHashMap<>();
        for (var e : runInEveryRegion(p -> p.poll(clock.instant())).entrySet()) {
            if (e.getValue() instanceof RegionPoller.Report r) {
                reports.add(r);
                consecutiveFailures.get(e.getKey()).set(0);
                LOG.info("{}: read [{}, {}) with {} GetMetricData calls: {} new, {} corrected, {} unchanged, {} without agent"
                                + " data, {} incomplete queries; watermark {}", r.region(), r.readFrom(), r.readTo(),
                        r.getMetricDataCalls(), r.first(), r.corrections(), r.unchanged(), r.noAgentSamples(),
                        r.incompleteQueries(), r.watermark());
            } else {
                Throwable t = (Throwable) e.getValue();
                failures.put(e.getKey(), t);
                int n = consecutiveFailures.get(e.getKey()).incrementAndGet();
                LOG.error("{}: poll failed ({} in a row): {}; the next poll reads again from watermark {}", e.getKey(), n,
                        Retrier.describe(t), pollers.get(e.getKey()).ledger().watermark());
            }
        }
        Map<String, PublishLedger> ledgers = new LinkedHashMap<>();
        pollers.forEach((region, p) -> ledgers.put(region, p.ledger()));
        store.save(ledgers);
        return new Cycle(reports, failures);
    }

    /** Polls on the cadence until {@link #close()}. */
    public void runOnSchedule() {
        schedule = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "cloudwatch-schedule"));
        schedule.scheduleAtFixedRate(() -> {
            try {
                pollOnce();
            } catch (RuntimeException e) {
                LOG.error("poll failed: {}", e.toString(), e);
            }
        }, 0, settings.cadence().toMillis(), TimeUnit.MILLISECONDS);
    }

    public CloudWatchSettings settings() {
        return settings;
    }

    private interface RegionTask {
        Object run(RegionPoller p);
    }

    /** Runs a task in every region at once; each value is the task's result or the Throwable it threw. */
    private Map<String, Object> runInEveryRegion(RegionTask task) {
        Map<String, Future<Object>> futures = new LinkedHashMap<>();
        pollers.forEach((region, p) -> futures.put(region, workers.submit(() -> task.run(p))));
        Map<String, Object> results = new LinkedHashMap<>();
        for (var e : futures.entrySet()) {
            try {
                results.put(e.getKey(), e.getValue().get());
            } catch (ExecutionException ex) {
                results.put(e.getKey(), ex.getCause());
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                results.put(e.getKey(), ex);
            }
        }
        return results;
    }

    @Override
    public void close() {
        if (schedule != null) {
            schedule.shutdownNow();
        }
        workers.shutdownNow();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        clients.forEach(AwsClients::close);
    }
}
