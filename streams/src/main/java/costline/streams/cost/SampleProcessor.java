package costline.streams.cost;

import costline.events.CostRecord;
import costline.events.GpuSample;
import costline.events.Site;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistry;
import costline.schemas.serde.AvroDeserializer;
import costline.streams.prices.PriceBook;
import costline.streams.prices.PriceStore;
import costline.streams.runtime.CommitHook;
import costline.streams.runtime.FailedRecords;
import costline.streams.runtime.StateCache;
import costline.streams.runtime.StateExpiry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Costs GPU samples: decode, validate, drop duplicates, apply corrections, price, meter energy, split over
 * workloads, and add the result to the pending increments of each (minute, site, GPU model, workload), which a
 * wall-clock punctuation forwards as additive CostRecords, keyed by workload and numbered by this task
 * (partition x 100,000 + sequence, see {@link #nextRevision}). Samples that cannot be costed are forwarded as {@link DeadLetter}s.
 *
 * <p>Duplicates and corrections: the topology remembers each costed (gpu_id, sample_time) for
 * {@code cost.dedup-window} with a hash of its Avro body and the parts it was costed at. The same body again is a
 * duplicate: dropped and counted. A different body for the same (gpu_id, sample_time) is a correction (CloudWatch
 * re-publishes a period whose value changed): it is costed afresh and only the difference (new parts minus the
 * remembered ones, per workload) is added, so the corrected value replaces the earlier one in every total. A
 * correction keeps the energy first charged to that sample (the energy counter has moved on since).
 *
 * <p>Everything lives in changelogged stores, written in the same exactly_once_v2 transaction as the output and the
 * consumed offsets, so a crash or rebalance neither loses nor repeats an increment.
 */
final class SampleProcessor implements Processor<byte[], byte[], Object, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(SampleProcessor.class);
    static final char SEP = '\u001f';
    private static final String WATERMARK = "watermark";
    /** Prefix of the revision numbers of unobserved increments in the old revisions store (read until it is empty). */
    private static final String UNOBSERVED_REVISIONS = "u" + SEP;
    private static final String UNOBSERVED_SUFFIX = SEP + Topics.UNOBSERVED;
    /** Decoded entries a write-back cache keeps (held writes beyond it are written at once). */
    static final int CACHE_ENTRIES = 50_000;
    /** GPUs (and chunks) whose de-duplication memory is kept decoded: up to {@link SeenWindow#SPILL_AT} samples each. */
    static final int SEEN_CACHE_ENTRIES = 10_000;

    private final CostSettings cfg;
    private final AvroDeserializer<GpuSample> decoder;
    private ProcessorContext<Object, Object> context;
    /** The de-duplication memory: the samples of the window by GPU, one value per GPU (and chunks of it), written back per commit. */
    private SeenSamples seen;
    private StateCache<SeenWindow> seenCache;
    private StateExpiry<SeenWindow> seenExpiry;
    /**
     * The earlier layout's window store, (GPU, sample time) -> seen: read for sample times up to the newest it holds
     * ({@link #legacyWindowNewestMs}) until that is behind the window, then never again.
     */
    private WindowStore<String, byte[]> seenByTime;
    private long legacyWindowNewestMs = Long.MIN_VALUE;
    /** The earlier layout's seen store, (time, GPU) -> seen: read until its entries age out, then never again. */
    private KeyValueStore<String, byte[]> legacySeen;
    private boolean legacySeenLeft;
    private StateCache<EnergyMeter.State> energy;
    private KeyValueStore<String, EnergyMeter.State> energyStore;
    private StateCache<StateCodec.Pending> pending;
    private KeyValueStore<String, StateCodec.Pending> pendingStore;
    /** Pending keys with a part not emitted yet (the emit's work list; rebuilt from the store when the task starts). */
    private final java.util.Set<String> dirty = new java.util.HashSet<>();
    private StateCache<Long> counters;
    /** The earlier layout's revisions store: read for keys whose entry does not carry the sequence, until it is empty. */
    private KeyValueStore<String, Integer> legacyRevisions;
    private boolean legacyRevisionsLeft;
    private KeyValueStore<String, byte[]> pricesStore;
    private StateCache<Long> names;
    private KeyValueStore<String, Long> namesStore;
    private StateExpiry<EnergyMeter.State> energyExpiry;
    /** Watermark at the last energy expiry scan: the scan runs once per {@link #expiryStepMs} of data time. */
    private long energyExpiredAt = Long.MIN_VALUE;
    private long overflowWarnedAtMs = Long.MIN_VALUE;
    private long overflowSinceWarning;
    static final int REVISIONS_PER_PARTITION = CostRevision.PER_PARTITION;
    /** This task's input partition: part of every revision number it hands out. */
    private int partition;
    private final SchemaRegistry registry;
    private PriceBook prices;
    private SampleCosting.State costState;
    private long watermarkMs = Long.MIN_VALUE;
    /** Owned GPUs' fixed cost by calendar time: the inventory and the accrual's memory. */
    private AccrualStores accrual;
    /** Pending keys of the last sample's minutes: a GPU's samples fall in the same few minutes, site, model and workloads. */
    private final PendingKeys pendingKeys = new PendingKeys();

    SampleProcessor(CostSettings cfg, SchemaRegistry registry) {
        this.cfg = cfg;
        this.decoder = new AvroDeserializer<>(registry, GpuSample.class);
        this.registry = registry;
    }

    /** The costing's memory, in this task's changelogged stores. */
    private final class StoreState implements SampleCosting.State {
        @Override
        public StateCodec.Seen seen(long sampleTimeMs, String gpuId) {
            StateCodec.Seen s = seen.get(gpuId, sampleTimeMs);
            if (s != null) {
                return s;
            }
            byte[] b = sampleTimeMs <= legacyWindowNewestMs ? seenByTime.fetch(gpuId, sampleTimeMs) : null;
            if (b == null && legacySeenLeft) {
                b = legacySeen.get(SampleCosting.seenKey(sampleTimeMs, gpuId));
            }
            return b == null ? null : StateCodec.seen(b);
        }

        @Override
        public void seen(long sampleTimeMs, String gpuId, StateCodec.Seen s) {
            // held decoded; the GPU's head is written once per commit
            long cutoff = watermarkMs == Long.MIN_VALUE ? Long.MIN_VALUE : seenCutoff(watermarkMs);
            seen.put(gpuId, sampleTimeMs, s, cutoff);
        }

        @Override
        public EnergyMeter.State energy(String gpuId) {
            return energy.get(gpuId);
        }

        @Override
        public void energy(String gpuId, EnergyMeter.State s) {
            energy.put(gpuId, s);
        }
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.seenByTime = context.getStateStore(CostTopology.SEEN_BY_TIME_STORE);
        this.seenCache = StateCache.writeBack(context, CostTopology.SEEN_STORE_BY_GPU, CostTopology.COMMIT_HOOK, SEEN_CACHE_ENTRIES);
        this.seen = new SeenSamples(seenCache);
        this.seenExpiry = new StateExpiry<SeenWindow>(context.getStateStore(CostTopology.SEEN_STORE_BY_GPU), SeenWindow::newestMs,
                Duration.ofMillis(cfg.dedupWindowMs() + CostTopology.SEEN_MARGIN_MS), null).through(seenCache);
        this.legacySeen = context.getStateStore(CostTopology.SEEN_STORE);
        this.energyStore = context.getStateStore(CostTopology.ENERGY_STORE);
        this.energy = StateCache.writeBack(context, CostTopology.ENERGY_STORE, CostTopology.COMMIT_HOOK, CACHE_ENTRIES);
        this.pendingStore = context.getStateStore(CostTopology.PENDING_STORE);
        this.pending = StateCache.writeBack(context, CostTopology.PENDING_STORE, CostTopology.COMMIT_HOOK, CACHE_ENTRIES);
        this.counters = StateCache.writeBack(context, CostTopology.COUNTERS_STORE, CostTopology.COMMIT_HOOK, CACHE_ENTRIES);
        this.legacyRevisions = context.getStateStore(CostTopology.REVISIONS_STORE);
        this.pricesStore = context.getStateStore(CostTopology.PRICES_STORE);
        this.partition = context.taskId().partition();
        this.prices = PriceBook.over(context.getStateStore(CostTopology.PRICES_STORE), registry);
        this.namesStore = context.getStateStore(CostTopology.NAMES_STORE);
        this.names = StateCache.writeBack(context, CostTopology.NAMES_STORE, CostTopology.COMMIT_HOOK, CACHE_ENTRIES);
        this.costState = new StoreState();
        this.accrual = AccrualStores.of(context, registry);
        this.energyExpiry = new StateExpiry<>(energyStore, EnergyMeter.State::atMs,
                Duration.ofMillis(cfg.stateRetentionMs()), StateExpiry.sensor(context, "costline-cost", "cost")).through(energy);
        // a revived task re-initialises the same processor: what this memory held beyond the last commit is gone
        samples = 0;
        admittedMemo.clear();
        dirty.clear();
        inputSinceEmit = false;
        started = false;
        this.samplesSensor = sensor("samples");
        CommitHook hook = context.getStateStore(CostTopology.COMMIT_HOOK);
        // the samples count is kept in a field and folded into the counters store before each commit
        hook.beforeCommit(CostTopology.COUNTERS_STORE + ".samples", () -> {
            flushSamples();
            counters.flush();
        });
        // Every task of a stream thread emits in the same punctuation round, at each multiple of the emit interval on
        // the wall clock: each emit asks for a commit, which commits every task of the thread in one transaction, so
        // tasks emitting at their own phases (a punctuator scheduled at each task's start) made one transaction each.
        // A 1-ms tick is due in every round (punctuation times are whole milliseconds), so every task sees the
        // interval's boundary in the same round; the tick itself is a comparison.
        emittedRound = context.currentSystemTimeMs() / cfg.emitIntervalMs();
        context.schedule(EMIT_TICK, PunctuationType.WALL_CLOCK_TIME, wallClockMs -> {
            long round = wallClockMs / cfg.emitIntervalMs();
            if (round != emittedRound) {
                emittedRound = round;
                emit(wallClockMs);
            }
        });
    }

    /** How often a task looks whether the emit interval's next boundary has passed. */
    static final Duration EMIT_TICK = Duration.ofMillis(1);
    /** The wall-clock emit interval (a multiple of the emit interval since the epoch) of this task's last emit. */
    private long emittedRound;

    /**
     * What the stores hold when the task starts, read at its first record or punctuation (after init, on the state as
     * restored): the watermark, the pending keys not emitted at the last commit, and whether the earlier layout's
     * stores still hold entries to fall back on.
     */
    private void startIfNeeded() {
        if (started) {
            return;
        }
        started = true;
        Long wm = counters.get(WATERMARK);
        watermarkMs = wm == null ? Long.MIN_VALUE : wm;
        try (KeyValueIterator<String, StateCodec.Pending> it = pendingStore.all()) {
            it.forEachRemaining(kv -> {
                if (kv.value != null && kv.value.part() != null) {
                    dirty.add(kv.key);
                }
            });
        }
        legacySeenLeft = notEmpty(legacySeen);
        legacyWindowNewestMs = counters.get(LEGACY_WINDOW_RETIRED) != null ? Long.MIN_VALUE : newestIn(seenByTime);
        legacyRevisionsLeft = notEmpty(legacyRevisions);
    }

    private boolean started;

    /** Counters-store key set once the earlier layout's window store is behind the window: later starts skip its scan. */
    private static final String LEGACY_WINDOW_RETIRED = "seen-by-time.retired";

    /** The newest sample time in the earlier layout's window store, {@link Long#MIN_VALUE} when empty (one scan). */
    private static long newestIn(WindowStore<String, byte[]> store) {
        long newest = Long.MIN_VALUE;
        try (KeyValueIterator<org.apache.kafka.streams.kstream.Windowed<String>, byte[]> it = store.all()) {
            while (it.hasNext()) {
                newest = Math.max(newest, it.next().key.window().start());
            }
        }
        return newest;
    }

    /** Samples older than this are refused as too late before the de-duplication, so it forgets them (with a margin). */
    private long seenCutoff(long watermark) {
        return watermark - cfg.dedupWindowMs() - CostTopology.SEEN_MARGIN_MS;
    }

    private static boolean notEmpty(KeyValueStore<String, ?> store) {
        try (KeyValueIterator<String, ?> it = store.all()) {
            return it.hasNext();
        }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        inputSinceEmit = true;
        // state is written back once per commit: a record that throws half way aborts the task (its half-done changes
        // with it) and is dead-lettered when it comes again (FailedRecords)
        FailedRecords.refuseIfFailedBefore(context);
        try {
            startIfNeeded();
            processSample(record);
        } catch (RuntimeException e) {
            throw FailedRecords.abortTask(context, e);
        }
    }

    private void processSample(Record<byte[], byte[]> record) {
        // One classification of what is not a sample (Decoding), the same in every reader of gpu.samples; a registry that
        // cannot be reached throws: the task is failed, its thread replaced and the record retried from the last commit,
        // rather than a good sample dead-lettered.
        costline.streams.config.Decoding.Result<GpuSample> decoded =
                costline.streams.config.Decoding.decode(decoder, Topics.GPU_SAMPLES, record.value());
        if (decoded.refused()) {
            deadLetter(record, decoded.refusal().reason(), decoded.refusal().detail());
            return;
        }
        GpuSample sample = decoded.value();
        SampleRules.Problem problem = SampleValidator.check(sample, context.currentSystemTimeMs(), watermarkMs, cfg);
        if (problem != null) {
            deadLetter(record, problem.reason().name(), problem.detail());
            return;
        }
        long t = sample.getSampleTime().toEpochMilli();
        // names beyond the day's limit become overflow before costing, so corrections and the audit see the same
        WorkloadGuard.Result guarded = WorkloadGuard.apply(sample, guardNames, cfg.maxWorkloadsPerSitePerDay());
        sample = guarded.sample();
        SampleCosting.Outcome outcome = SampleCosting.cost(sample, bodyHash(record.value()), prices, costState, cfg.energyMaxGapMs());
        if (outcome instanceof SampleCosting.Duplicate) {
            increment("duplicates");
            return;
        }
        if (outcome instanceof SampleCosting.NoPrice noPrice) {
            deadLetter(record, DlqReason.NO_PRICE.name(), noPrice.detail());
            return;
        }
        SampleCosting.Costed costed = (SampleCosting.Costed) outcome;
        if (guarded.overflowed() > 0) {
            overflowed(guarded);
        }
        if (costed.correction()) {
            increment("corrections");
        }
        for (SampleCosting.Piece piece : costed.delta()) {
            addPending(piece.minuteMs(), sample.getSite(), sample.getGpuModel(), piece.part());
        }
        FixedCostAccrual.onSample(sample, costed.previousIntervalMs(), prices, accrual, this::addUnobserved);
        samples++;
        samplesSensor.record();
        if (t > watermarkMs) {
            watermarkMs = t;
        }
    }

    /** A sample record (costed or not) came since the last emit: the emit asks for a commit. */
    private boolean inputSinceEmit;

    /** Samples costed since the counter was last written (folded into the counters store once per emit and commit). */
    private long samples;
    private Sensor samplesSensor;

    private void addPending(long minuteMs, Site site, String gpuModel, Part p) {
        String key = pendingKeys.of(minuteMs, site, gpuModel, p.workload());
        StateCodec.Pending acc = pending.get(key);
        if (acc == null) {
            pending.put(key, new StateCodec.Pending(StateCodec.SEQUENCE_UNKNOWN, p));
        } else {
            pending.put(key, new StateCodec.Pending(acc.lastSequence(), acc.part() == null ? p : acc.part().plus(p)));
        }
        dirty.add(key);
    }

    private void addUnobserved(long minuteMs, String gpuModel, Part p) {
        addPending(minuteMs, Site.ONPREM, gpuModel, p);
    }

    /**
     * Books the owned GPUs' closed hours, forwards the pending increments as CostRecords and forgets state older than
     * the de-duplication window.
     */
    private void emit(long wallClockMs) {
        startIfNeeded();
        if (partition == 0) {
            deadLetterRefusedPrices();
        }
        long closingClock = cfg.unobservedStreamTime() ? watermarkMs : wallClockMs;
        if (closingClock != Long.MIN_VALUE) {
            accrual.closeDue(closingClock, cfg.unobservedGraceMs(), cfg.maxAgeMs(), prices, this::addUnobserved);
        }
        // in key order, as the store would list them
        String[] keys = dirty.toArray(new String[0]);
        java.util.Arrays.sort(keys);
        dirty.clear();
        for (String key : keys) {
            StateCodec.Pending entry = pending.get(key);
            if (entry == null || entry.part() == null) {
                continue;
            }
            String[] k = key.split(String.valueOf(SEP), 4);
            long windowStart = Long.parseLong(k[0]);
            Part p = entry.part();
            int sequence = nextSequence(key, entry.lastSequence());
            CostRecord out = CostRecord.newBuilder()
                    .setWorkload(k[3]).setTeam(p.team()).setSite(Site.valueOf(k[1])).setGpuModel(k[2])
                    .setWindowStart(Instant.ofEpochMilli(windowStart)).setWindowEnd(Instant.ofEpochMilli(windowStart + 60_000))
                    .setGpuMs(p.gpuMs()).setBusyGpuMs(p.busyGpuMs()).setCostMicroUsd(p.costMicroUsd())
                    .setIdleMicroUsd(p.idleMicroUsd()).setEnergyMj(p.energyMj()).setSamples(p.samples())
                    .setRevision(new CostRevision(partition, sequence).value()).build();
            context.forward(new Record<>(k[3], out, windowStart));
            // the entry stays, with nothing pending, to number the key's next increment
            pending.put(key, new StateCodec.Pending(sequence, null));
        }
        if (keys.length > 0 || inputSinceEmit) {
            // Ask for the commit now rather than at the next commit interval: consumers read committed records only, so
            // an increment otherwise waited up to one emit interval plus one whole commit interval (the larger part of
            // the sample -> store latency). Streams commits at the end of this loop iteration, before more records.
            // Input that wrote no increment (duplicates, dead letters) is committed here too, so the application's own
            // commit interval (cost.commit-interval) is only a backstop and does not add a transaction between emits.
            context.commit();
        }
        inputSinceEmit = false;
        if (watermarkMs != Long.MIN_VALUE) {
            if (!Long.valueOf(watermarkMs).equals(counters.get(WATERMARK))) {
                counters.put(WATERMARK, watermarkMs); // an idle task writes nothing
            }
            purgeBefore(watermarkMs - cfg.dedupWindowMs());
            if (energyExpiredAt == Long.MIN_VALUE || watermarkMs - energyExpiredAt >= expiryStepMs()) {
                // a full scan of the per-GPU baselines, so only once per step of data time, not every emit
                energyExpiry.expire(watermarkMs);
                // and of the de-duplication memory: GPUs no longer sampled (the others forget as they are sampled)
                seenExpiry.expire(watermarkMs);
                energyExpiredAt = watermarkMs;
            }
        }
        // unobserved increments reach back to any hour an owned GPU was in service, up to cost.max-age, long after the
        // minute's sample numbering was forgotten: their entries are kept that long
        long unobservedBefore = Math.max(0, wallClockMs - cfg.maxAgeMs() - 3_600_000L);
        deleteRange(pending, pendingStore, pad(0), pad(unobservedBefore), key -> key.endsWith(UNOBSERVED_SUFFIX));
        if (legacyRevisionsLeft) {
            deleteRange(legacyRevisions, UNOBSERVED_REVISIONS + pad(0), UNOBSERVED_REVISIONS + pad(unobservedBefore));
            legacyRevisionsLeft = notEmpty(legacyRevisions);
        }
    }

    /** Folds the samples costed since the last time into the counters store. */
    private void flushSamples() {
        if (samples > 0) {
            Long v = counters.get("samples");
            counters.put("samples", (v == null ? 0 : v) + samples);
            samples = 0;
        }
    }

    /** As every topology's expiry ({@link StateExpiry#step}): entries live at most retention + step. */
    private long expiryStepMs() {
        return StateExpiry.step(Duration.ofMillis(cfg.stateRetentionMs())).toMillis();
    }

    /** Counted per share sent to overflow; logged at most once a minute per task, with the count since. */
    private void overflowed(WorkloadGuard.Result r) {
        for (int i = 0; i < r.overflowed(); i++) {
            increment("overflow");
        }
        overflowSinceWarning += r.overflowed();
        long now = context.currentSystemTimeMs();
        if (overflowWarnedAtMs == Long.MIN_VALUE || now - overflowWarnedAtMs >= 60_000L) {
            String[] day = r.dayKey().split(String.valueOf(SEP), 2);
            LOG.warn("partition {}: more than {} distinct workload names on site {} on {} ({}): {} share(s) of new names "
                    + "costed to workload '{}' since the last warning", partition, cfg.maxWorkloadsPerSitePerDay(), day[1],
                    Instant.ofEpochMilli(Long.parseLong(day[0])).toString().substring(0, 10),
                    CostSettings.MAX_WORKLOADS_PER_SITE_PER_DAY.key(), overflowSinceWarning, Topics.OVERFLOW);
            overflowWarnedAtMs = now;
            overflowSinceWarning = 0;
        }
    }

    /** Names known admitted, by day key: a name once admitted stays so for the day, so the store need not be asked again. */
    private final Map<String, java.util.Set<String>> admittedMemo = new java.util.HashMap<>();

    /** The guard's memory in the changelogged names store: {@code day SEP site SEP name} -> 1, {@code day SEP site} -> count. */
    private final WorkloadGuard.Names guardNames = new WorkloadGuard.Names() {
        @Override
        public boolean admitted(String dayKey, String workload) {
            java.util.Set<String> known = admittedMemo.get(dayKey);
            if (known != null && known.contains(workload)) {
                return true;
            }
            boolean admitted = names.get(dayKey + SEP + workload) != null;
            if (admitted) {
                admittedMemo.computeIfAbsent(dayKey, d -> new java.util.HashSet<>()).add(workload);
            }
            return admitted;
        }

        @Override
        public int count(String dayKey) {
            Long c = names.get(dayKey);
            return c == null ? 0 : c.intValue();
        }

        @Override
        public void admit(String dayKey, String workload, int count) {
            admittedMemo.computeIfAbsent(dayKey, d -> new java.util.HashSet<>()).add(workload);
            names.put(dayKey + SEP + workload, 1L);
            names.put(dayKey, (long) count);
        }
    };

    /**
     * The sequence of the next increment of a (minute, site, model, workload) from this task; its revision is
     * partition x 100,000 + the sequence ({@link CostRevision}). Every GPU partition emits increments of the same minute
     * and workload, so the partition keeps the numbers of different tasks apart without a shared counter; the sink
     * writes each at window_start + sequence microseconds with the partition as a tag, so no two increments share a
     * point. The last sequence is kept in the pending entry; an entry of the earlier layout finds it in the old
     * revisions store.
     */
    private int nextSequence(String pendingKey, int lastSequence) {
        Integer used = lastSequence != StateCodec.SEQUENCE_UNKNOWN ? Integer.valueOf(lastSequence) : null;
        if (used == null && legacyRevisionsLeft) {
            String revisionKey = pendingKey.endsWith(UNOBSERVED_SUFFIX) ? UNOBSERVED_REVISIONS + pendingKey : pendingKey;
            used = legacyRevisions.get(revisionKey);
        }
        int sequence = used == null ? 0 : used + 1;
        if (sequence >= REVISIONS_PER_PARTITION) {
            throw new IllegalStateException("more than " + REVISIONS_PER_PARTITION + " increments for " + pendingKey
                    + " from partition " + partition + "; raise cost.emit-interval");
        }
        return sequence;
    }

    /**
     * Price versions the price store refused are sent once to gpu.prices.dlq, with their reason, by the task of
     * partition 0 (every task sees the same global store; one of them is enough). Which were sent is remembered in
     * the changelogged counters store, so a restart does not send them again.
     */
    private void deadLetterRefusedPrices() {
        List<PriceStore.Rejected> refused = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = pricesStore.range(PriceStore.REJECTED_PREFIX,
                PriceStore.REJECTED_PREFIX + Character.MAX_VALUE)) {
            it.forEachRemaining(kv -> refused.add(PriceStore.Rejected.decode(kv.key, kv.value)));
        }
        for (PriceStore.Rejected r : refused) {
            String sentKey = "prices.dlq.sent:" + r.topicKey() + ":" + bodyHashOf(r.value());
            if (counters.get(sentKey) != null) {
                continue;
            }
            RecordHeaders headers = new RecordHeaders();
            headers.add(Topics.DLQ_REASON_HEADER, r.reason().getBytes(StandardCharsets.UTF_8));
            headers.add(Topics.DLQ_DETAIL_HEADER, r.detail().getBytes(StandardCharsets.UTF_8));
            context.forward(new Record<Object, Object>(r.topicKey(), new PriceDeadLetter(r.value()),
                    context.currentSystemTimeMs(), headers));
            counters.put(sentKey, 1L);
            increment("prices.dlq." + r.reason());
        }
    }

    private static long bodyHashOf(byte[] value) {
        CRC32C crc = new CRC32C();
        crc.update(value, 0, value.length);
        return crc.getValue();
    }

    private void purgeBefore(long cutoffMs) {
        if (cutoffMs <= 0) {
            return;
        }
        // A sample may reach back one maximal interval before its own time: keep the numbering of those minutes.
        String minutesBefore = pad(Math.max(0, cutoffMs - cfg.maxIntervalMs() - 60_000));
        deleteRange(pending, pendingStore, pad(0), minutesBefore, key -> !key.endsWith(UNOBSERVED_SUFFIX));
        if (legacyRevisionsLeft) {
            deleteRange(legacyRevisions, minutesBefore);
            legacyRevisionsLeft = notEmpty(legacyRevisions);
        }
        // Samples older than the cutoff are refused as TOO_LATE, so their (gpu, time) is not needed any more. The earlier
        // layouts' stores: the window store, never written now, is retired once all it holds is behind the cutoff (one
        // tombstone at the watermark makes it drop its old segments); the key-value store is emptied by range.
        if (legacyWindowNewestMs != Long.MIN_VALUE && legacyWindowNewestMs < cutoffMs - CostTopology.SEEN_MARGIN_MS) {
            seenByTime.put(LEGACY_WINDOW_RETIRED, null, watermarkMs);
            counters.put(LEGACY_WINDOW_RETIRED, watermarkMs);
            legacyWindowNewestMs = Long.MIN_VALUE;
        }
        if (legacySeenLeft) {
            deleteRange(legacySeen, pad(cutoffMs));
            legacySeenLeft = notEmpty(legacySeen);
        }
        // nor the names of days that end before it
        String firstDay = WorkloadGuard.firstDayNeeded(cutoffMs);
        deleteRange(names, namesStore, pad(0), firstDay, key -> true);
        admittedMemo.keySet().removeIf(day -> day.compareTo(firstDay) < 0);
    }

    static <V> void deleteRange(KeyValueStore<String, V> store, String before) {
        deleteRange(store, pad(0), before);
    }

    static <V> void deleteRange(KeyValueStore<String, V> store, String from, String before) {
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, V> it = store.range(from, before)) {
            it.forEachRemaining(kv -> {
                if (kv.key.compareTo(before) < 0) {
                    old.add(kv.key);
                }
            });
        }
        old.forEach(store::delete);
    }

    /** The same through a write-back cache: its held writes first, then deletes through it (so no copy brings one back). */
    static <V> void deleteRange(StateCache<V> cache, KeyValueStore<String, V> store, String from, String before,
                                java.util.function.Predicate<String> which) {
        cache.flush();
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, V> it = store.range(from, before)) {
            it.forEachRemaining(kv -> {
                if (kv.key.compareTo(before) < 0 && which.test(kv.key)) {
                    old.add(kv.key);
                }
            });
        }
        old.forEach(cache::delete);
    }

    private void deadLetter(Record<byte[], byte[]> record, String reason, String detail) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.add(Topics.DLQ_REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.DLQ_DETAIL_HEADER, String.valueOf(detail).getBytes(StandardCharsets.UTF_8));
        // where it was read: the audit's fold leaves out what the topology refused by its wall clock (FUTURE_TIMESTAMP,
        // PAST_TIMESTAMP), which a later re-read cannot judge, by this origin
        String origin = context.recordMetadata().map(m -> m.topic() + "/" + m.partition() + "@" + m.offset()).orElse("");
        headers.add(costline.streams.config.DecodedSource.ORIGIN_HEADER, origin.getBytes(StandardCharsets.UTF_8));
        context.forward(new Record<Object, Object>(record.key(), new DeadLetter(record.value()), record.timestamp(), headers));
        increment("dlq." + reason);
        LOG.debug("sample dead-lettered: {} {}", reason, detail);
    }

    private void increment(String counter) {
        Long v = counters.get(counter);
        counters.put(counter, v == null ? 1 : v + 1);
        sensor(counter).record();
    }

    /**
     * The count as a Streams sensor (client metrics: /metrics of `streams run` shows it), e.g. costline-cost / cost /
     * dlq-OUT_OF_RANGE-total; the store keeps the exact, restart-safe count.
     */
    private Sensor sensor(String counter) {
        return sensors.computeIfAbsent(counter, c -> context.metrics().addRateTotalSensor("costline-cost", "cost",
                c.replace('.', '-'), Sensor.RecordingLevel.INFO));
    }

    /** One sensor per counter name (samples, duplicates, corrections, dlq.<reason>, prices.dlq.<reason>). */
    private final Map<String, Sensor> sensors = new java.util.HashMap<>();

    /** Hash of the Avro body (after the 5-byte wire header), so the same sample re-framed under another id is equal. */
    static long bodyHash(byte[] value) {
        CRC32C crc = new CRC32C();
        crc.update(value, 5, value.length - 5);
        int fnv = 0x811c9dc5;
        for (int i = 5; i < value.length; i++) {
            fnv = (fnv ^ (value[i] & 0xff)) * 0x01000193;
        }
        return (crc.getValue() << 32) | (fnv & 0xffffffffL);
    }

    /** Zero-padded to 15 digits so keys sort by time. */
    static String pad(long ms) {
        String digits = Long.toString(ms);
        return "000000000000000".substring(Math.min(15, digits.length())) + digits;
    }
}
