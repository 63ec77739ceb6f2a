package costline.streams.drift;

import costline.events.DriftMetric;
import costline.events.DriftSignal;
import costline.events.EntityType;
import costline.events.GpuSample;
import costline.streams.runtime.StateExpiry;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Per GPU (the input key): utilization and power per utilization percent, one detector each. */
final class GpuDriftProcessor extends ContextualProcessor<String, GpuSample, String, DriftSignal> {

    static final String STORE = "drift-gpu-state";
    static final String COMMIT_HOOK = "drift-gpu-commit-hook";
    private static final Logger LOG = LoggerFactory.getLogger(GpuDriftProcessor.class);

    private final DriftConfig config;
    private final DriftDetector utilDetector;
    private final DriftDetector ppuDetector;
    private KeyValueStore<String, GpuDriftState> store;
    /** This task's newest sample time: the clock of expiry. */
    private long newestSampleMs = Long.MIN_VALUE;
    /** The store's GpuDriftStates, decoded, written back once per commit (see StateCache). */
    private costline.streams.runtime.StateCache<GpuDriftState> cache;

    GpuDriftProcessor(DriftConfig config) {
        this.config = config;
        this.utilDetector = new DriftDetector(config.defaults().detector(), MetricScale.UTILIZATION);
        this.ppuDetector = new DriftDetector(config.defaults().detector(), MetricScale.POWER_PER_UTIL);
    }

    @Override
    public void init(ProcessorContext<String, DriftSignal> context) {
        super.init(context);
        store = context.getStateStore(STORE);
        this.cache = costline.streams.runtime.StateCache.writeBack(context, STORE, COMMIT_HOOK, 10000);
        // a GPU not sampled for the retention (replaced, decommissioned) is forgotten; one that returns re-warms
        StateExpiry.schedule(context, config.stateRetention(), () -> newestSampleMs, new StateExpiry<>(store, s -> s.lastSampleTime,
                config.stateRetention(), StateExpiry.sensor(context, "costline-drift", "drift-gpu")).through(cache));
    }

    @Override
    public void process(Record<String, GpuSample> record) {
        costline.streams.runtime.FailedRecords.refuseIfFailedBefore(context());
        try {
            processRecord(record);
        } catch (RuntimeException e) {
            // the held state may be half-updated: the task starts again from its last commit (FailedRecords)
            throw costline.streams.runtime.FailedRecords.abortTask(context(), e);
        }
    }

    private void processRecord(Record<String, GpuSample> record) {
        GpuSample sample = record.value();
        if (sample == null) {
            return;
        }
        String gpu = record.key() != null ? record.key() : sample.getGpuId();
        GpuDriftState state = cache.get(gpu);
        if (state == null) {
            state = new GpuDriftState();
            state.utilization = utilDetector.newState();
            state.powerPerUtil = ppuDetector.newState();
        }
        long t = sample.getSampleTime().toEpochMilli();
        if (t <= state.lastSampleTime) {
            // A redelivered or late sample: the detectors need time order, and a duplicate would count twice.
            state.skippedOutOfOrder++;
            cache.put(gpu, state);
            return;
        }
        state.lastSampleTime = t;
        newestSampleMs = Math.max(newestSampleMs, t);
        Float util = sample.getUtilGpuPct();
        if (util != null && !Readings.validUtil(util)) {
            state.invalidReadings++;
            LOG.warn("GPU {}: utilization {} at {} is outside 0..100; skipped by drift ({} so far)", gpu, util,
                    sample.getSampleTime(), state.invalidReadings);
            util = null;
        }
        if (util != null) {
            emit(gpu, DriftMetric.UTILIZATION, utilDetector.update(state.utilization, t, util));
            Float power = sample.getPowerW();
            if (power != null && Readings.validPower(power) && util >= config.powerPerUtilMinUtilPct()) {
                emit(gpu, DriftMetric.POWER_PER_UTIL, ppuDetector.update(state.powerPerUtil, t, power / util));
            }
        }
        cache.put(gpu, state);
    }

    private void emit(String gpu, DriftMetric metric, Optional<Detection> detection) {
        detection.ifPresent(d -> context().forward(new Record<>(gpu,
                DriftSignals.of(gpu, EntityType.GPU, metric, d, config.defaults()), d.detectedAt())));
    }
}
