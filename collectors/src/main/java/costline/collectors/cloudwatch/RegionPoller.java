package costline.collectors.cloudwatch;

import costline.collectors.poll.PublishLedger;
import costline.collectors.poll.Retrier;
import costline.collectors.poll.SinkFlush;
import costline.collectors.SampleSink;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Polls one region: discovery (ListMetrics) and EC2 metadata on their own refresh intervals, then one
 * GetMetricData read from the watermark to the last complete period, then the samples.
 *
 * <p>Each poll re-reads the late window (the periods that may still change). Every (GPU, period) is
 * published once; when a re-read finds other values, the same (gpu_id, sample_time) is published again as a
 * correction that replaces the first. Periods that leave the late window become final. A running GPU
 * instance with no value for a period that becomes final gets a sample with null readings: the cloud bills
 * its time whether its agent reports or not.
 */
final class RegionPoller {

    private static final Logger LOG = LoggerFactory.getLogger(RegionPoller.class);

    /** What one poll did. */
    record Report(String region, int series, int getMetricDataCalls, int first, int corrections, int unchanged,
                  int noAgentSamples, int unresolvedGpus, int incompleteQueries, Instant readFrom, Instant readTo,
                  Instant watermark) {
        static Report idle(String region, Instant watermark) {
            return new Report(region, 0, 0, 0, 0, 0, 0, 0, 0, null, null, watermark);
        }
    }

    private final String region;
    private final CloudWatchSettings settings;
    private final MetricDiscovery discovery;
    private final MetricReader reader;
    private final Ec2Inventory inventory;
    private final SampleFactory factory;
    private final SampleSink sink;
    private final PublishLedger ledger;

    private List<GpuSeries> series = List.of();
    private Instant discoveredAt;
    private Ec2Inventory.Snapshot instances = Ec2Inventory.Snapshot.EMPTY;
    private Instant describedAt;
    private final Set<String> warnedUnresolved = new HashSet<>();
    private final Set<String> describedMisses = new HashSet<>();

    RegionPoller(String region, CloudWatchSettings settings, CloudWatchClient cloudWatch, Ec2Client ec2, Retrier retrier,
                 SampleSink sink, PublishLedger ledger) {
        this.region = region;
        this.settings = settings;
        this.discovery = new MetricDiscovery(cloudWatch, retrier, region);
        this.reader = new MetricReader(cloudWatch, retrier, region, settings.maxQueriesPerCall());
        this.inventory = new Ec2Inventory(ec2, retrier, region);
        this.factory = new SampleFactory(settings.workloadTagKey(), settings.teamTagKey());
        this.sink = sink;
        this.ledger = ledger;
    }

    String region() {
        return region;
    }

    PublishLedger ledger() {
        return ledger;
    }

    /** Runs ListMetrics now; returns how many GPU series it found. */
    int discover(Instant now) {
        MetricDiscovery.Result found = discovery.discover(settings.namespace(), settings.metrics());
        series = found.series();
        discoveredAt = now;
        if (found.skipped() > 0) {
            LOG.warn("{}: {} metrics in {} have no GPU index or host dimension and are not read", region, found.skipped(),
                    settings.namespace());
        }
        LOG.info("{}: discovered {} GPU metrics in {} ({} ListMetrics calls)", region, series.size(), settings.namespace(),
                found.calls());
        return series.size();
    }

    int seriesCount() {
        return series.size();
    }

    Report poll(Instant now) {
        long periodMs = settings.period().toMillis();
        Instant end = Instant.ofEpochMilli(Math.floorDiv(now.toEpochMilli(), periodMs) * periodMs);
        Instant from = ledger.watermark() != null ? ledger.watermark() : end.minus(settings.lateWindow());
        Instant oldest = end.minus(retention(settings.period()));
        if (from.isBefore(oldest)) {
            // CloudWatch no longer has data at this period this far back: reading it would only yield
            // null samples for time nobody can measure any more.
            LOG.warn("{}: watermark {} is older than CloudWatch keeps {} s data; data before {} is lost, resuming there",
                    region, from, settings.period().toSeconds(), oldest);
            from = oldest;
        }
        if (!end.isAfter(from)) {
            return Report.idle(region, ledger.watermark());
        }
        Instant to = end;
        if (Duration.between(from, to).compareTo(settings.maxCatchUp()) > 0) {
            to = from.plus(settings.maxCatchUp());
            LOG.info("{}: catching up from {}; this poll reads up to {}", region, from, to);
        }
        if (discoveredAt == null || !now.isBefore(discoveredAt.plus(settings.discoveryRefresh()))) {
            discover(now);
        }
        if (describedAt == null || !now.isBefore(describedAt.plus(settings.ec2Refresh())) || hasNewUnknownInstances()) {
            describeInstances(now);
        }

        MetricReader.Result read = reader.read(series, from, to, settings.period());

        // Group the values by GPU and period: one sample per (GPU, period).
        Map<String, GpuIdentity> identities = new LinkedHashMap<>();
        Map<String, NavigableMap<Instant, EnumMap<GpuMetric, Double>>> byGpu = new HashMap<>();
        int unresolved = 0;
        Set<String> incompleteGpus = new HashSet<>();
        for (GpuSeries s : read.incomplete()) {
            incompleteGpus.add(factory.identify(region, s, instances.find(s.instanceId(), s.host())).gpuId());
        }
        for (var e : read.values().entrySet()) {
            GpuSeries s = e.getKey();
            GpuIdentity id = factory.identify(region, s, instances.find(s.instanceId(), s.host()));
            if (identities.putIfAbsent(id.gpuId(), id) == null && !id.resolved()) {
                unresolved++;
                if (warnedUnresolved.add(id.gpuId())) {
                    LOG.warn("{}: GPU {} (host {}) matches no EC2 instance; its samples carry instance_type 'unknown'",
                            region, id.gpuId(), s.host());
                }
            }
            var periods = byGpu.computeIfAbsent(id.gpuId(), k -> new TreeMap<>());
            for (var p : e.getValue().entrySet()) {
                if (!p.getKey().isBefore(from) && p.getKey().isBefore(to)) {
                    periods.computeIfAbsent(p.getKey(), k -> new EnumMap<>(GpuMetric.class)).put(s.metric(), p.getValue());
                }
            }
        }

        int first = 0;
        int corrections = 0;
        int unchanged = 0;
        for (var g : byGpu.entrySet()) {
            GpuIdentity id = identities.get(g.getKey());
            for (var p : g.getValue().entrySet()) {
                if (incompleteGpus.contains(id.gpuId()) && ledger.published(id.gpuId(), p.getKey())) {
                    // Part of this GPU's data did not come back: what was published stands until a whole read.
                    unchanged++;
                    continue;
                }
                switch (ledger.record(id.gpuId(), p.getKey(), SampleFactory.fingerprint(p.getValue()))) {
                    case FIRST -> {
                        first++;
                        sink.accept(factory.sample(id, p.getKey(), settings.period(), p.getValue()));
                    }
                    case CORRECTION -> {
                        corrections++;
                        sink.accept(factory.sample(id, p.getKey(), settings.period(), p.getValue()));
                    }
                    case UNCHANGED -> unchanged++;
                }
            }
        }

        // Periods leaving the late window become final, unless part of this read failed: then they stay
        // open and the next poll reads them again.
        Instant watermark = from; // the ledger's watermark, or where a first or clamped read started
        Instant newWatermark = !read.incomplete().isEmpty() ? watermark : max(watermark, to.minus(settings.lateWindow()));
        int noAgent = publishNoAgentSamples(watermark, newWatermark);
        SinkFlush.flush(sink);
        ledger.finalizeBefore(newWatermark);
        return new Report(region, series.size(), read.calls(), first, corrections, unchanged, noAgent, unresolved,
                read.incomplete().size(), from, to, ledger.watermark());
    }

    /** Null-reading samples for running GPU instances that have no sample for a period becoming final. */
    private int publishNoAgentSamples(Instant from, Instant to) {
        int count = 0;
        List<InstanceInfo> gpuInstances = new ArrayList<>();
        for (InstanceInfo i : instances.byId().values()) {
            if (i.running() && i.gpu().count() > 0) {
                gpuInstances.add(i);
            }
        }
        Map<GpuMetric, Double> none = Map.of();
        long nullFingerprint = SampleFactory.fingerprint(none);
        for (Instant p = from; p.isBefore(to); p = p.plus(settings.period())) {
            Instant periodEnd = p.plus(settings.period());
            for (InstanceInfo i : gpuInstances) {
                if (i.launchTime() != null && !periodEnd.isAfter(i.launchTime())) {
                    continue;
                }
                for (int g = 0; g < i.gpu().count(); g++) {
                    GpuIdentity id = factory.identify(i, g);
                    if (!ledger.published(id.gpuId(), p)) {
                        ledger.record(id.gpuId(), p, nullFingerprint);
                        sink.accept(factory.sample(id, p, settings.period(), none));
                        count++;
                    }
                }
            }
        }
        return count;
    }

    /** Whether a series names an instance that EC2 was not yet asked about (a GPU that just appeared). */
    private boolean hasNewUnknownInstances() {
        for (GpuSeries s : series) {
            if (instances.find(s.instanceId(), s.host()) == null && !describedMisses.contains(missKey(s))) {
                return true;
            }
        }
        return false;
    }

    private void describeInstances(Instant now) {
        instances = inventory.describe();
        describedAt = now;
        for (GpuSeries s : series) {
            if (instances.find(s.instanceId(), s.host()) == null) {
                describedMisses.add(missKey(s));
            }
        }
    }

    private static String missKey(GpuSeries s) {
        return s.instanceId() + "|" + s.host();
    }

    /** How long CloudWatch keeps datapoints at a period: 3 h below 60 s, 15 days at 60 s, 63 days at 300 s, else 455 days. */
    static Duration retention(Duration period) {
        long p = period.toSeconds();
        if (p < 60) {
            return Duration.ofHours(3);
        }
        if (p < 300) {
            return Duration.ofDays(15);
        }
        if (p < 3600) {
            return Duration.ofDays(63);
        }
        return Duration.ofDays(455);
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
