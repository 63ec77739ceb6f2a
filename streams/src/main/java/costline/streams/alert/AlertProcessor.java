package costline.streams.alert;

import costline.events.AlertState;
import costline.events.CostRecord;
import costline.events.SpendAlert;
import costline.schemas.registry.SchemaRegistries;
import costline.streams.finance.MonthCalendar;
import costline.streams.prices.PriceBook;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The alert's state machine per scope (records arrive keyed by scope: a workload, or the fleet). After each cloud
 * CostRecord it recomputes the month-to-date figures and sends a SpendAlert only when the state changes:
 * NONE -> WARNING (the run-rate crosses the line before the month ends), NONE/WARNING -> FIRING (crossed),
 * FIRING -> RESOLVED (back below: the line rose with a new peak), WARNING -> RESOLVED (the projection no longer
 * crosses this month), and WARNING/FIRING -> RESOLVED when the month ends.
 */
final class AlertProcessor implements Processor<String, CostRecord, String, SpendAlert> {

    /** Minutes of per-minute sums kept to find the fleet's concurrent peak: the records of one minute arrive close together. */
    static final long RECENT_MINUTES = 15;

    private final AlertConfig config;
    private final MonthCalendar calendar;
    private final String pricesStore;
    private ProcessorContext<String, SpendAlert> context;
    private KeyValueStore<String, ScopeMonth> store;
    /** The store's ScopeMonths, decoded, written back once per commit (see StateCache). */
    private costline.streams.runtime.StateCache<ScopeMonth> cache;
    private LinePrices linePrices;
    private Sensor late;
    /** The month of the last record and its edges: consecutive records are nearly always in the same month. */
    private YearMonth lastMonth;
    private String lastMonthText;
    private long lastMonthStartMs = Long.MAX_VALUE;
    private long lastMonthEndMs = Long.MIN_VALUE;
    /**
     * The earliest month end among the stored scopes (Long.MIN_VALUE: unknown, scan). The stream-time punctuation
     * fires every punctuate-interval of stream time, thousands of times a second in a replay; scanning the store each
     * time was a third of this thread's time in the quickstart's profile. In memory only: a restart scans once.
     */
    private long nextEndMs = Long.MIN_VALUE;

    AlertProcessor(AlertConfig config, String pricesStore) {
        this.config = config;
        this.calendar = new MonthCalendar(config.zone());
        this.pricesStore = pricesStore;
    }

    @Override
    public void init(ProcessorContext<String, SpendAlert> context) {
        this.context = context;
        this.store = context.getStateStore(SpendAlertTopology.STORE);
        this.cache = costline.streams.runtime.StateCache.writeBack(context, SpendAlertTopology.STORE,
                SpendAlertTopology.COMMIT_HOOK, 10000);
        this.linePrices = new LinePrices(PriceBook.over(context.getStateStore(pricesStore),
                SchemaRegistries.forUrl(config.registryUrl())), config.catalog());
        this.late = context.metrics().addRateTotalSensor("costline-finance", "alert", "earlier-month-skipped",
                Sensor.RecordingLevel.INFO);
        context.schedule(config.punctuateEvery(), PunctuationType.STREAM_TIME, this::endMonths);
    }

    @Override
    public void process(Record<String, CostRecord> record) {
        costline.streams.runtime.FailedRecords.refuseIfFailedBefore(context);
        try {
            processRecord(record);
        } catch (RuntimeException e) {
            // the held state may be half-updated: the task starts again from its last commit (FailedRecords)
            throw costline.streams.runtime.FailedRecords.abortTask(context, e);
        }
    }

    private void processRecord(Record<String, CostRecord> record) {
        CostRecord c = record.value();
        String scope = record.key();
        YearMonth month = monthOf(c.getWindowStart().toEpochMilli());
        ScopeMonth s = cache.get(scope);
        if (s != null && !s.month.equals(lastMonthText)) {
            YearMonth held = YearMonth.parse(s.month);
            if (held.isAfter(month)) {
                // the alert is about the live month; the rollup still counts this record for its own month
                late.record();
                return;
            }
            if (held.isBefore(month)) {
                endMonth(scope, s);
                s = null;
            }
        }
        if (s == null) {
            s = new ScopeMonth();
            s.month = lastMonthText;
        }
        add(s, c);
        evaluate(scope, s, lastMonthStartMs, lastMonthEndMs, Math.max(record.timestamp(), c.getWindowEnd().toEpochMilli()));
        cache.put(scope, s);
        long end = lastMonthEndMs;
        if (nextEndMs != Long.MIN_VALUE && end < nextEndMs) {
            nextEndMs = end;
        }
    }

    /** The month of {@code ms} (its text and edges kept in lastMonth*): the calendar is asked only when the month changes. */
    private YearMonth monthOf(long ms) {
        if (ms < lastMonthStartMs || ms >= lastMonthEndMs) {
            lastMonth = calendar.monthOf(ms);
            lastMonthText = lastMonth.toString();
            lastMonthStartMs = calendar.startMs(lastMonth);
            lastMonthEndMs = calendar.endMs(lastMonth);
        }
        return lastMonth;
    }

    private void add(ScopeMonth s, CostRecord c) {
        ScopeMonth.ModelUsage u = s.models.computeIfAbsent(c.getGpuModel(), m -> new ScopeMonth.ModelUsage());
        u.costMicroUsd = Math.addExact(u.costMicroUsd, c.getCostMicroUsd());
        u.busyGpuMs = Math.addExact(u.busyGpuMs, c.getBusyGpuMs());
        long minute = Math.floorDiv(c.getWindowStart().toEpochMilli(), 60_000L) * 60_000L;
        long slotMs = Math.max(60_000L, c.getWindowEnd().toEpochMilli() - c.getWindowStart().toEpochMilli());
        long sum = u.recentMinutes.merge(minute, c.getGpuMs() * 60_000L / slotMs, Long::sum);
        // concurrent GPUs in the minute, half a GPU or more counting as one
        u.peakGpus = (int) Math.max(u.peakGpus, (sum + 30_000) / 60_000);
        while (!u.recentMinutes.isEmpty() && u.recentMinutes.firstKey() < u.recentMinutes.lastKey() - RECENT_MINUTES * 60_000L) {
            u.recentMinutes.pollFirstEntry();
        }
        long hour = Math.floorDiv(c.getWindowStart().toEpochMilli(), 3_600_000L) * 3_600_000L;
        u.hourlyCost.merge(hour, c.getCostMicroUsd(), Long::sum);
        u.hourlyBusyMs.merge(hour, c.getBusyGpuMs(), Long::sum);
        s.latestMs = Math.max(s.latestMs, c.getWindowEnd().toEpochMilli());
        long dayAgo = s.latestMs - OnPremLine.RUN_RATE_WINDOW_MS - 3_600_000L;
        u.hourlyCost.headMap(dayAgo).clear();
        u.hourlyBusyMs.headMap(dayAgo).clear();
    }

    private void evaluate(String scope, ScopeMonth s, long start, long end, long at) {
        OnPremLine line = OnPremLine.of(s, start, end, linePrices);
        if (line.lineMicroUsd() == 0) {
            return; // no on-prem equivalent priced for any of its models: nothing to compare against
        }
        boolean projectable = s.latestMs - start >= config.minElapsed().toMillis();
        boolean warns = projectable && line.projectedCrossMs() != null;
        String next = switch (s.state) {
            case "NONE" -> line.crossed() ? "FIRING" : warns ? "WARNING" : "NONE";
            case "WARNING" -> line.crossed() ? "FIRING" : (projectable && !warns) ? "RESOLVED" : "WARNING";
            case "FIRING" -> line.crossed() ? "FIRING" : "RESOLVED";
            default -> throw new IllegalStateException("unknown alert state " + s.state);
        };
        if (next.equals(s.state)) {
            return;
        }
        Integer crossDay = next.equals("WARNING") ? calendar.dayOfMonth(line.projectedCrossMs()) : null;
        send(scope, s.month, AlertState.valueOf(next), at, line, crossDay);
        s.state = next.equals("RESOLVED") ? "NONE" : next;
    }

    /** A month ended with an alert open: RESOLVED at the month's end, with its final figures. */
    private void endMonth(String scope, ScopeMonth s) {
        if (s.state.equals("NONE")) {
            return;
        }
        YearMonth month = YearMonth.parse(s.month);
        long end = calendar.endMs(month);
        OnPremLine line = OnPremLine.of(s, calendar.startMs(month), end, linePrices);
        send(scope, s.month, AlertState.RESOLVED, end, line, null);
        s.state = "NONE";
    }

    private void endMonths(long streamTime) {
        if (nextEndMs != Long.MIN_VALUE && streamTime < nextEndMs) {
            return; // no month in the store ends before then
        }
        List<KeyValue<String, ScopeMonth>> ended = new ArrayList<>();
        long next = Long.MAX_VALUE;
        cache.flush();
        try (KeyValueIterator<String, ScopeMonth> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, ScopeMonth> kv = it.next();
                long end = calendar.endMs(YearMonth.parse(kv.value.month));
                if (end <= streamTime) {
                    ended.add(kv);
                } else {
                    next = Math.min(next, end);
                }
            }
        }
        nextEndMs = next;
        for (KeyValue<String, ScopeMonth> kv : ended) {
            endMonth(kv.key, kv.value);
            // an ended month's figures are not needed again; the next record of the scope starts its new month
            cache.delete(kv.key);
        }
    }

    private void send(String scope, String month, AlertState state, long at, OnPremLine line, Integer crossDay) {
        SpendAlert alert = SpendAlert.newBuilder()
                .setWorkload(scope)
                .setMonth(month)
                .setState(state)
                .setAt(Instant.ofEpochMilli(at))
                .setCloudMtdMicroUsd(line.cloudMtdMicroUsd())
                .setOnpremLineMicroUsd(line.lineMicroUsd())
                .setProjectedCrossDay(crossDay)
                .setProjectedMonthMicroUsd(line.projectedMonthMicroUsd())
                .build();
        context.forward(new Record<>(scope, alert, at));
    }
}
