package costline.streams.drift;

import costline.events.Direction;
import costline.events.DriftMetric;
import costline.events.DriftSignal;
import costline.events.EntityType;
import costline.events.Severity;
import costline.streams.drift.WorkloadInput.CostPart;
import costline.streams.drift.WorkloadInput.Observation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import costline.streams.runtime.StateExpiry;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Per workload (the input key): share-weighted utilization over buckets, cost rate per minute, and idle episodes
 * of the GPUs it holds.
 */
final class WorkloadDriftProcessor extends ContextualProcessor<String, WorkloadBatch, String, DriftSignal> {

    private static final long MINUTE_MS = 60_000L;


    static final String STORE = "drift-workload-state";
    static final String GPU_STORE = "drift-workload-gpus";
    /** Separates workload and GPU id in the held-GPU store's keys; a prefix scan finds one workload's GPUs. */
    private static final char KEY_SEPARATOR = '\u001f';
    private static final long MS_PER_HOUR = 3_600_000L;

    private final DriftConfig config;
    private final long bucketMs;
    private KeyValueStore<String, WorkloadDriftState> store;
    static final String COMMIT_HOOK = "drift-workload-commit-hook";

    /** The store's WorkloadDriftStates, decoded, written back once per commit (see StateCache). */
    private costline.streams.runtime.StateCache<WorkloadDriftState> cache;
    private KeyValueStore<String, HeldGpu> gpuStore;
    /** The held GPUs, likewise: every observation updates one. */
    private costline.streams.runtime.StateCache<HeldGpu> gpus;
    /** This task's newest event time (sample time or cost minute): the clock of expiry. */
    private long newestInputMs = Long.MIN_VALUE;

    WorkloadDriftProcessor(DriftConfig config) {
        this.config = config;
        this.bucketMs = config.workloadBucket().toMillis();
    }

    @Override
    public void init(ProcessorContext<String, DriftSignal> context) {
        super.init(context);
        store = context.getStateStore(STORE);
        this.cache = costline.streams.runtime.StateCache.writeBack(context, STORE, COMMIT_HOOK, 10000);
        gpuStore = context.getStateStore(GPU_STORE);
        this.gpus = costline.streams.runtime.StateCache.writeBack(context, GPU_STORE, COMMIT_HOOK, 10000);
        // workloads come and go: one not active for the retention is forgotten with the GPUs it held
        StateExpiry.schedule(context, config.stateRetention(), () -> newestInputMs,
                new StateExpiry<>(store, WorkloadDriftState::lastActiveMs, config.stateRetention(),
                        StateExpiry.sensor(context, "costline-drift", "drift-workload")).through(cache),
                new StateExpiry<>(gpuStore, g -> g.lastSeen, config.stateRetention(),
                        StateExpiry.sensor(context, "costline-drift", "drift-workload-gpus")).through(gpus));
    }

    @Override
    public void process(Record<String, WorkloadBatch> record) {
        costline.streams.runtime.FailedRecords.refuseIfFailedBefore(context());
        try {
            processRecord(record);
        } catch (RuntimeException e) {
            // the held state may be half-updated: the task starts again from its last commit (FailedRecords)
            throw costline.streams.runtime.FailedRecords.abortTask(context(), e);
        }
    }

    /**
     * A batch's inputs one by one, in order: what the same inputs did as one record each. All are the record's
     * workload's, so its thresholds, detectors and state are looked up once per batch.
     */
    private void processRecord(Record<String, WorkloadBatch> record) {
        String workload = record.key();
        if (workload == null || record.value() == null || record.value().inputs().isEmpty()) {
            return;
        }
        DriftThresholds t = config.thresholdsFor(workload);
        WorkloadDriftState state = cache.get(workload);
        if (state == null) {
            state = new WorkloadDriftState();
        }
        // Built per record: thresholds are per workload, and a detector is only its parameters.
        DriftDetector utilDetector = new DriftDetector(t.detector(), MetricScale.UTILIZATION);
        DriftDetector costDetector = new DriftDetector(t.detector(), MetricScale.COST_RATE);
        if (state.utilization == null) {
            state.utilization = utilDetector.newState();
            state.costRate = costDetector.newState();
        }
        for (WorkloadInput input : record.value().inputs()) {
            if (input.observation() != null) {
                newestInputMs = Math.max(newestInputMs, input.observation().sampleTime());
                observe(workload, state, input.observation(), t, utilDetector);
            } else if (input.cost() != null) {
                newestInputMs = Math.max(newestInputMs, input.cost().windowStart());
                cost(workload, state, input.cost(), t, costDetector);
            }
        }
        cache.put(workload, state);
    }

    private void observe(String workload, WorkloadDriftState s, Observation o, DriftThresholds t,
                         DriftDetector detector) {
        s.lastObservation = Math.max(s.lastObservation, o.sampleTime());
        String gpuKey = workload + KEY_SEPARATOR + o.gpuId();
        HeldGpu gpu = gpus.get(gpuKey);
        if (gpu == null) {
            gpu = new HeldGpu();
        }
        gpu.share = o.share();
        gpu.siteModel = siteModel(o.site(), o.gpuModel());
        gpu.lastSeen = Math.max(gpu.lastSeen, o.sampleTime());
        if (o.utilPct() != null) {
            double util = o.utilPct();
            gpu.lastUtilPct = util;
            if (util < t.idleFloorPct()) {
                if (gpu.idleSince == null) {
                    gpu.idleSince = o.sampleTime() - Math.max(0L, o.intervalMs());
                }
            } else {
                gpu.idleSince = null;
            }
        }
        gpus.put(gpuKey, gpu);
        if (o.utilPct() != null) {
            long bucket = Math.floorDiv(o.sampleTime(), bucketMs) * bucketMs;
            if (s.bucketStart < 0) {
                s.bucketStart = bucket;
            } else if (bucket > s.bucketStart) {
                closeBucket(workload, s, t, detector);
                s.bucketStart = bucket;
            }
            // A sample of an earlier bucket (another GPU's, slightly behind) joins the open one: nothing is lost,
            // and the detector still gets its samples in time order.
            double weight = o.share() * Math.max(1L, o.intervalMs());
            s.weightedUtilMs += weight * o.utilPct();
            s.weightMs += weight;
        }
    }

    private void closeBucket(String workload, WorkloadDriftState s, DriftThresholds t, DriftDetector detector) {
        long end = s.bucketStart + bucketMs;
        // Held GPUs are scanned once per bucket, not per sample: a workload's idle episode is decided at bucket
        // ends, so with N GPUs a sample costs one small store write and a bucket one scan of N entries.
        heldGpus(workload, s, t, s.lastObservation);
        if (s.weightMs > 0) {
            emit(workload, DriftMetric.UTILIZATION,
                    detector.update(s.utilization, end, s.weightedUtilMs / s.weightMs), t);
        }
        s.weightedUtilMs = 0;
        s.weightMs = 0;
    }

    /**
     * Forgets GPUs the workload released, and emits one IDLE signal when the first held GPU has been under the
     * floor for idleAfter; none until all have recovered.
     */
    private void heldGpus(String workload, WorkloadDriftState s, DriftThresholds t, long now) {
        long releasedBefore = now - config.gpuReleasedAfter().toMillis();
        long idleAfter = t.idleAfter().toMillis();
        List<HeldGpu> idle = new ArrayList<>();
        List<String> released = new ArrayList<>();
        gpus.flush();
        try (KeyValueIterator<String, HeldGpu> it = gpuStore.prefixScan(workload + KEY_SEPARATOR,
                Serdes.String().serializer())) {
            while (it.hasNext()) {
                KeyValue<String, HeldGpu> e = it.next();
                HeldGpu g = e.value;
                if (g.lastSeen < releasedBefore) {
                    released.add(e.key);
                } else if (g.idleSince != null && now - g.idleSince >= idleAfter) {
                    idle.add(g);
                }
            }
        }
        released.forEach(gpus::delete);
        if (UNALLOCATED.equals(workload)) {
            return;
        }
        if (idle.isEmpty()) {
            s.idleEpisode = false;
            return;
        }
        if (s.idleEpisode) {
            return;
        }
        s.idleEpisode = true;
        long started = Long.MAX_VALUE;
        double utilShare = 0;
        double shares = 0;
        Long wasted = null;
        for (HeldGpu g : idle) {
            started = Math.min(started, g.idleSince);
            utilShare += g.share * g.lastUtilPct;
            shares += g.share;
            Long perGpuHour = s.microUsdPerGpuHour.get(g.siteModel);
            if (perGpuHour != null) {
                wasted = (wasted == null ? 0L : wasted) + Math.round(g.share * perGpuHour);
            }
        }
        double current = shares > 0 ? utilShare / shares : 0.0;
        Severity severity = wasted != null && wasted >= t.idleCriticalMicroUsdPerHour()
                ? Severity.CRITICAL : Severity.WARNING;
        DriftSignal signal = DriftSignal.newBuilder()
                .setEntity(workload)
                .setEntityType(EntityType.WORKLOAD)
                .setMetric(DriftMetric.IDLE)
                .setBaseline(t.idleFloorPct())
                .setCurrent(current)
                .setChangePct(DriftSignals.changePct(t.idleFloorPct(), current))
                .setDirection(Direction.DOWN)
                .setStartedAt(Instant.ofEpochMilli(started))
                .setDetectedAt(Instant.ofEpochMilli(now))
                .setSeverity(severity)
                .setWastedMicroUsdPerHour(wasted)
                .build();
        context().forward(new Record<>(workload, signal, now));
    }

    private void cost(String workload, WorkloadDriftState s, CostPart c, DriftThresholds t, DriftDetector detector) {
        String part = siteModel(c.site(), c.gpuModel());
        if (c.gpuMs() > 0) {
            // Exact long arithmetic: micro-USD x ms-per-hour / GPU-ms stays far below Long.MAX_VALUE for any real rate.
            s.microUsdPerGpuHour.put(part, Math.floorDiv(Math.multiplyExact(c.costMicroUsd(), MS_PER_HOUR), c.gpuMs()));
        }
        // gpu.cost records are additive increments, and the increments of one minute come from every GPU partition
        // of the cost topology, interleaved with later minutes: sum them per minute, and feed a minute to the
        // detector only once records a grace period newer have arrived.
        long minute = c.windowStart();
        if (minute <= s.costClosedThrough) {
            s.lateCostRecords++; // its minute was already fed; the rate per GPU-hour above still used it
            return;
        }
        s.openCost.merge(minute, c.costMicroUsd(), Long::sum);
        long newest = s.openCost.lastKey();
        while (s.openCost.firstKey() < newest - config.costGrace().toMillis()) {
            Map.Entry<Long, Long> closed = s.openCost.pollFirstEntry();
            s.costClosedThrough = closed.getKey();
            double perHour = (double) closed.getValue() * MS_PER_HOUR / MINUTE_MS;
            emit(workload, DriftMetric.COST_RATE, detector.update(s.costRate, closed.getKey() + MINUTE_MS, perHour), t);
        }
    }

    private void emit(String workload, DriftMetric metric, Optional<Detection> detection, DriftThresholds t) {
        detection.ifPresent(d -> context().forward(new Record<>(workload,
                DriftSignals.of(workload, EntityType.WORKLOAD, metric, d, t), d.detectedAt())));
    }

    static String siteModel(String site, String gpuModel) {
        return site + "|" + gpuModel;
    }

    /** GPU time nobody holds: its cost rate is watched, but nobody holds its GPUs idle. */
    static final String UNALLOCATED = costline.schemas.Topics.UNALLOCATED;
}
