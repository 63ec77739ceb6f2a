package costline.streams.rollup;

import costline.events.CostRecord;
import costline.events.MonthlyRollup;
import costline.events.RollupStatus;
import costline.events.Site;
import costline.schemas.Topics;
import costline.streams.finance.MonthCalendar;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sums CostRecords already keyed by {@code month|workload|site|gpu model}, and sends the totals as
 * {@link MonthlyRollup}s: a key's month-to-date totals once per emit interval (wall clock) when they changed since the
 * last record sent, not once per cost increment (a quickstart's month sent 2.5 rollups per sample that way, each one
 * written to the store by the sink); a FINAL when the month closes; a numbered CORRECTION at once for every record
 * after that. A record whose month is past retention and whose totals are gone comes back as the {@link CostRecord}
 * itself (with a reason header, for the dead-letter topic).
 *
 * <p>A month closes when stream time passes its end plus the grace period. Stream time, not the wall clock, so
 * that a replay of last year's data closes months exactly as the live run did. Closing happens on the stream-time
 * punctuation, on the next record of a key whose month has closed, and on an emit that finds the month closed, so the
 * FINAL always precedes the first CORRECTION and no MONTH_TO_DATE follows a FINAL. The FINAL carries every increment
 * counted, sent or not.
 *
 * <p>Which keys changed since the last emit is part of each key's state ({@link RollupState#unsent}), written with the
 * totals once per commit (write-back {@link costline.streams.runtime.StateCache}) and so in the same exactly-once
 * transaction as the consumed offsets: after a restart between two emits the restored state still marks the key,
 * and {@link #init} finds it again.
 */
final class RollupProcessor implements Processor<String, CostRecord, String, SpecificRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(RollupProcessor.class);

    private final RollupConfig config;
    private final MonthCalendar calendar;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, RollupState> store;
    /** The store's RollupStates, decoded, written back once per commit (see StateCache). */
    private costline.streams.runtime.StateCache<RollupState> cache;
    private Sensor tooLate;
    private Sensor negativeTotal;
    /**
     * The earliest time at which a scan of the store could close or expire anything (Long.MIN_VALUE: unknown, scan).
     * The stream-time punctuation fires every punctuate-interval of stream time, which a replay passes thousands of
     * times a second: scanning the whole store each time was most of this thread's time in the quickstart's profile.
     * Kept in memory only: after a restart the first punctuation scans and sets it again.
     */
    private long nextDueMs = Long.MIN_VALUE;
    /** Keys whose state is {@link RollupState#unsent}, in the order they changed: what the next emit sends. */
    private final Set<String> unsent = new LinkedHashSet<>();

    RollupProcessor(RollupConfig config, MonthCalendar calendar) {
        this.config = config;
        this.calendar = calendar;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.store = context.getStateStore(MonthlyRollupTopology.STORE);
        this.cache = costline.streams.runtime.StateCache.writeBack(context, MonthlyRollupTopology.STORE,
                MonthlyRollupTopology.COMMIT_HOOK, 10000);
        this.tooLate = context.metrics().addRateTotalSensor("costline-finance", "rollup", "past-retention",
                Sensor.RecordingLevel.INFO);
        this.negativeTotal = context.metrics().addRateTotalSensor("costline-finance", "rollup", "negative-total",
                Sensor.RecordingLevel.INFO);
        // the keys a previous run of this task left unsent (a restart between two emits): the store is restored by now
        try (KeyValueIterator<String, RollupState> it = store.all()) {
            it.forEachRemaining(kv -> {
                if (kv.value.unsent()) {
                    unsent.add(kv.key);
                }
            });
        }
        context.schedule(config.emitInterval(), PunctuationType.WALL_CLOCK_TIME, this::emitChanged);
        context.schedule(config.punctuateEvery(), PunctuationType.STREAM_TIME, this::closeDueMonths);
        if (config.wallClockClose()) {
            context.schedule(config.punctuateEvery(), PunctuationType.WALL_CLOCK_TIME, this::closeDueMonths);
        }
    }

    @Override
    public void process(Record<String, CostRecord> record) {
        costline.streams.runtime.FailedRecords.refuseIfFailedBefore(context);
        try {
            processRecord(record);
        } catch (RuntimeException e) {
            throw costline.streams.runtime.FailedRecords.abortTask(context, e);
        }
    }

    private void processRecord(Record<String, CostRecord> record) {
        CostRecord c = record.value();
        YearMonth month = calendar.monthOf(c.getWindowStart().toEpochMilli());
        long now = context.currentStreamTimeMs();
        RollupState s = cache.get(record.key());
        if (s == null && now > closeAt(month) + config.retention().toMillis()) {
            tooLate.record();
            LOG.warn("CostRecord for {} arrived after the month's totals were dropped (retention {}): dead-lettered",
                    record.key(), config.retention());
            record.headers().add(Topics.DLQ_REASON_HEADER, "MONTH_PAST_RETENTION".getBytes(StandardCharsets.UTF_8));
            context.forward(record.withValue((SpecificRecord) c));
            return;
        }
        boolean monthClosed = now > closeAt(month);
        if (s != null && !s.closed() && monthClosed) {
            s = s.closedNow();
            unsent.remove(record.key());
            context.forward(new Record<>(record.key(), toRollup(s, RollupStatus.FINAL), Math.max(closeAt(month), s.updatedAtMs())));
        }
        s = add(s, month, c, monthClosed);
        if (s.gpuMs() < 0 || s.costMicroUsd() < 0 || s.energyMj() < 0) {
            // Counted, not dropped: increments of one key come from several partitions in any order, and the energy
            // meter settles a counter reading on the sample that carries it (possibly another workload's), so a total
            // can be below zero for a while, or even at the end. Dropping the record would break the ledger.
            negativeTotal.record();
            LOG.debug("the month's totals of {} are below zero after this increment", record.key());
        }
        // a month already closed gets its CORRECTION at once (rare: data later than the grace period); an open one is
        // sent at the next emit, with whatever else changes its totals until then
        if (s.closed()) {
            s = s.corrected();
            cache.put(record.key(), s);
            dueAt(closeAt(month) + config.retention().toMillis());
            context.forward(new Record<>(record.key(), toRollup(s, RollupStatus.CORRECTION), record.timestamp()));
            return;
        }
        cache.put(record.key(), s.changed());
        unsent.add(record.key());
        // a key's month may close before the earliest the last scan knew of
        dueAt(closeAt(month));
    }

    /**
     * Sends the month-to-date totals of every key changed since the last emit (wall-clock punctuation), or its FINAL
     * where stream time has passed the month's close meanwhile (the stream-time punctuation had not come to it yet).
     */
    private void emitChanged(long wallClockMs) {
        if (unsent.isEmpty()) {
            return;
        }
        long now = context.currentStreamTimeMs();
        for (String key : unsent) {
            RollupState s = cache.get(key);
            if (s == null || !s.unsent() || s.closed()) {
                continue; // closed (its FINAL carried the totals) or expired since it changed
            }
            long closeAt = closeAt(YearMonth.parse(s.month()));
            if (now > closeAt) {
                RollupState closed = s.closedNow();
                cache.put(key, closed);
                dueAt(closeAt + config.retention().toMillis());
                context.forward(new Record<>(key, toRollup(closed, RollupStatus.FINAL), Math.max(closeAt, s.updatedAtMs())));
            } else {
                cache.put(key, s.sent());
                // the record's time is the newest window counted: the same for a replay as for the live run
                context.forward(new Record<>(key, toRollup(s, RollupStatus.MONTH_TO_DATE), s.updatedAtMs()));
            }
        }
        unsent.clear();
    }

    /** Closes the months whose end + grace is before {@code time} (stream time, or the wall clock where enabled). */
    private void closeDueMonths(long streamTime) {
        if (nextDueMs != Long.MIN_VALUE && streamTime <= nextDueMs) {
            return; // nothing in the store closes or expires before then
        }
        List<KeyValue<String, RollupState>> due = new ArrayList<>();
        List<String> expired = new ArrayList<>();
        long next = Long.MAX_VALUE;
        cache.flush();
        try (KeyValueIterator<String, RollupState> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, RollupState> kv = it.next();
                long closeAt = closeAt(YearMonth.parse(kv.value.month()));
                if (!kv.value.closed() && streamTime > closeAt) {
                    due.add(kv);
                    next = Math.min(next, closeAt + config.retention().toMillis());
                } else if (kv.value.closed() && streamTime > closeAt + config.retention().toMillis()) {
                    expired.add(kv.key);
                } else {
                    next = Math.min(next, kv.value.closed() ? closeAt + config.retention().toMillis() : closeAt);
                }
            }
        }
        nextDueMs = next;
        for (KeyValue<String, RollupState> kv : due) {
            RollupState closed = kv.value.closedNow();
            cache.put(kv.key, closed);
            unsent.remove(kv.key);
            long closeAt = closeAt(YearMonth.parse(closed.month()));
            context.forward(new Record<>(kv.key, toRollup(closed, RollupStatus.FINAL), closeAt));
        }
        expired.forEach(cache::delete);
    }

    private void dueAt(long ms) {
        if (nextDueMs != Long.MIN_VALUE && ms < nextDueMs) {
            nextDueMs = ms;
        }
    }

    private long closeAt(YearMonth month) {
        return calendar.endMs(month) + config.grace().toMillis();
    }

    private RollupState add(RollupState s, YearMonth month, CostRecord c, boolean monthClosed) {
        long updated = c.getWindowStart().toEpochMilli();
        if (s == null) {
            return new RollupState(month.toString(), config.zone().getId(), c.getWorkload(), c.getTeam(),
                    c.getSite().name(), c.getGpuModel(), c.getGpuMs(), c.getBusyGpuMs(), c.getCostMicroUsd(),
                    c.getIdleMicroUsd(), c.getEnergyMj(), updated, monthClosed, 0, false);
        }
        return new RollupState(s.month(), s.zone(), s.workload(), c.getTeam() != null ? c.getTeam() : s.team(), s.site(),
                s.gpuModel(), Math.addExact(s.gpuMs(), c.getGpuMs()), Math.addExact(s.busyGpuMs(), c.getBusyGpuMs()),
                Math.addExact(s.costMicroUsd(), c.getCostMicroUsd()), Math.addExact(s.idleMicroUsd(), c.getIdleMicroUsd()),
                Math.addExact(s.energyMj(), c.getEnergyMj()), Math.max(s.updatedAtMs(), updated), s.closed(), s.revision(),
                s.unsent());
    }

    static MonthlyRollup toRollup(RollupState s, RollupStatus status) {
        return MonthlyRollup.newBuilder()
                .setMonth(s.month())
                .setZone(s.zone())
                .setWorkload(s.workload())
                .setTeam(s.team())
                .setSite(Site.valueOf(s.site()))
                .setGpuModel(s.gpuModel())
                .setStatus(status)
                .setRevision(status == RollupStatus.CORRECTION ? s.revision() : 0)
                .setGpuMs(s.gpuMs())
                .setBusyGpuMs(s.busyGpuMs())
                .setCostMicroUsd(s.costMicroUsd())
                .setIdleMicroUsd(s.idleMicroUsd())
                .setEnergyMj(s.energyMj())
                .setUpdatedAt(Instant.ofEpochMilli(s.updatedAtMs()))
                .build();
    }
}
