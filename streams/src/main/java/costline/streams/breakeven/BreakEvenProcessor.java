package costline.streams.breakeven;

import costline.events.BreakEvenRecommendation;
import costline.events.HistoryStatus;
import costline.events.Recommendation;
import costline.streams.runtime.FailedRecords;
import costline.streams.runtime.StateCache;
import costline.streams.runtime.StateExpiry;
import java.time.Duration;
import costline.events.CostRecord;
import costline.events.OnPremPrice;
import costline.events.PriceEntry;
import costline.pricing.CostModel;
import costline.schemas.registry.SchemaRegistries;
import costline.streams.prices.PriceBook;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each scope's cloud GPU-ms per minute and turns it into a {@link BreakEvenRecommendation}.
 *
 * <p>The cloud rate is what the scope actually paid per GPU-hour over the window (cost / GPU-hours of its
 * CostRecords): it blends the instance types, regions and pricing models it really ran on, and a cloud price change
 * reaches it through the CostRecords priced at the new rate. The on-prem side comes from the catalog (global store);
 * a change there is noticed by the price check and recomputed at once.
 */
final class BreakEvenProcessor implements Processor<String, CostRecord, String, BreakEvenRecommendation> {

    private static final Logger LOG = LoggerFactory.getLogger(BreakEvenProcessor.class);
    private static final long MINUTE = 60_000L;

    private final BreakEvenConfig config;
    /** On-prem price and board power each scope was last computed with; lost on restart, which only recomputes once. */
    private final Map<String, UsedPrice> usedPrice = new HashMap<>();
    /** Board power per cloud model: the catalog is fixed for the processor's life (the family regex ran per scope). */
    private final Map<String, Double> watts = new HashMap<>();
    private ProcessorContext<String, BreakEvenRecommendation> context;
    private WindowStore<String, MinuteUsage> demand;
    /** The demand minutes added since the last commit, written to the window store before it (see PendingDemand). */
    private PendingDemand pending;
    private KeyValueStore<String, ScopeSeen> scopes;
    /** The ScopeSeen entries, decoded, written back once per commit (see StateCache). */
    private StateCache<ScopeSeen> seenCache;
    private PriceBook prices;
    /** This task's newest minute of demand: the clock of expiry. */
    private long newestMinuteMs = Long.MIN_VALUE;
    private Sensor unpriced;
    private final java.util.Set<String> warnedUnpriced = new java.util.HashSet<>();

    BreakEvenProcessor(BreakEvenConfig config) {
        this.config = config;
    }

    @Override
    public void init(ProcessorContext<String, BreakEvenRecommendation> context) {
        this.context = context;
        this.demand = context.getStateStore(BreakEvenTopology.DEMAND);
        this.scopes = context.getStateStore(BreakEvenTopology.SCOPES);
        this.seenCache = StateCache.writeBack(context, BreakEvenTopology.SCOPES, BreakEvenTopology.COMMIT_HOOK, 10000);
        this.pending = PendingDemand.writeBack(context, demand, BreakEvenTopology.COMMIT_HOOK);
        this.prices = PriceBook.over(context.getStateStore(BreakEvenTopology.PRICES),
                SchemaRegistries.forUrl(config.registryUrl()));
        this.unpriced = context.metrics().addRateTotalSensor("costline-finance", "breakeven", "no-onprem-price",
                Sensor.RecordingLevel.INFO);
        context.schedule(config.interval(), config.schedule(), now -> recompute(false, now));
        context.schedule(config.priceCheckEvery(), config.schedule(), now -> recompute(true, now));
        // scopes (workloads come and go) are forgotten breakeven.retention after their last minute of demand
        StateExpiry.schedule(context, config.retention(), () -> newestMinuteMs, new StateExpiry<>(scopes, ScopeSeen::lastMinuteMs,
                config.retention(), StateExpiry.sensor(context, "costline-finance", "breakeven")).through(seenCache));
    }

    @Override
    public void process(Record<String, CostRecord> record) {
        FailedRecords.refuseIfFailedBefore(context);
        try {
            processRecord(record);
        } catch (RuntimeException e) {
            // the held state may be half-updated: the task starts again from its last commit (FailedRecords)
            throw FailedRecords.abortTask(context, e);
        }
    }

    private void processRecord(Record<String, CostRecord> record) {
        CostRecord c = record.value();
        long start = c.getWindowStart().toEpochMilli();
        long end = c.getWindowEnd().toEpochMilli();
        long firstMinute = Math.floorDiv(start, MINUTE) * MINUTE;
        int minutes = (int) Math.max(1, Math.min((end - firstMinute + MINUTE - 1) / MINUTE, config.window().toMinutes()));
        // a record longer than a minute is spread evenly over its minutes, so it does not read as a burst
        for (int i = 0; i < minutes; i++) {
            long share = c.getGpuMs() / minutes + (i < c.getGpuMs() % minutes ? 1 : 0);
            long cost = c.getCostMicroUsd() / minutes + (i < c.getCostMicroUsd() % minutes ? 1 : 0);
            pending.add(record.key(), firstMinute + i * MINUTE, share, cost);
        }
        long lastMinute = firstMinute + (minutes - 1) * MINUTE;
        newestMinuteMs = Math.max(newestMinuteMs, lastMinute);
        ScopeSeen seen = seenCache.get(record.key());
        if (seen != null && seen.lastMinuteMs() < firstMinute - config.window().toMillis()) {
            seen = null; // back after more than a window without demand: its history starts again
        }
        if (seen == null) {
            String scope = record.key().substring(0, record.key().length() - c.getGpuModel().length() - 1);
            seenCache.put(record.key(), new ScopeSeen(scope, c.getGpuModel(), firstMinute, lastMinute));
        } else if (firstMinute < seen.firstMinuteMs() || lastMinute > seen.lastMinuteMs()) {
            seenCache.put(record.key(), new ScopeSeen(seen.scope(), seen.gpuModel(), Math.min(seen.firstMinuteMs(), firstMinute),
                    Math.max(seen.lastMinuteMs(), lastMinute)));
        }
    }

    /** The on-prem price and board power a scope was last computed with. */
    private record UsedPrice(OnPremPrice price, double watts) {
        boolean same(OnPremPrice p, double w) {
            return Double.compare(w, watts) == 0 && (p == price || p.equals(price));
        }
    }

    /** Every scope, or (price check) only those whose on-prem price or board power changed since last time. */
    private void recompute(boolean onlyChangedPrices, long punctuationTime) {
        long streamTime = context.currentStreamTimeMs();
        if (streamTime < 0) {
            return; // no data yet
        }
        long dataEnd = Math.floorDiv(streamTime + MINUTE - 1, MINUTE) * MINUTE;
        List<KeyValue<String, ScopeSeen>> all = new ArrayList<>();
        seenCache.flush();
        pending.flush();
        try (KeyValueIterator<String, ScopeSeen> it = scopes.all()) {
            it.forEachRemaining(all::add);
        }
        for (KeyValue<String, ScopeSeen> kv : all) {
            ScopeSeen seen = kv.value;
            // the window ends with the data's time, and includes the scope's latest minute whatever its timestamp
            long windowEnd = Math.max(dataEnd, seen.lastMinuteMs() + MINUTE);
            if (seen.lastMinuteMs() < windowEnd - config.window().toMillis()) {
                // no demand left in the window: nothing to advise; the entry itself expires after breakeven.retention
                usedPrice.remove(kv.key);
                warnedUnpriced.remove(seen.scope() + "|" + seen.gpuModel());
                continue;
            }
            // the on-prem price in force at the end of the demand window: a version that starts later is not used yet
            Optional<PriceEntry> price = prices.onPremFor(config.catalog(), seen.gpuModel(), windowEnd - 1);
            if (price.isEmpty()) {
                if (!onlyChangedPrices) {
                    unpriced.record();
                    if (warnedUnpriced.add(seen.scope() + "|" + seen.gpuModel())) {
                        LOG.warn("no on-prem price for cloud GPU model '{}' (scope {}): add onprem:<model> to the catalog "
                                + "or map it with onprem.model-map (counted in the metric; said once per scope and model)",
                                seen.gpuModel(), seen.scope());
                    }
                }
                continue;
            }
            double watts = this.watts.computeIfAbsent(seen.gpuModel(), config.catalog()::boardPowerW);
            OnPremPrice onPrem = price.get().getOnprem();
            UsedPrice last = usedPrice.get(kv.key);
            if (onlyChangedPrices && last != null && last.same(onPrem, watts)) {
                continue;
            }
            usedPrice.put(kv.key, new UsedPrice(onPrem, watts));
            compute(kv.key, seen, price.get().getOnprem(), watts, windowEnd, punctuationTime)
                    .ifPresent(rec -> context.forward(new Record<>(kv.key, rec, windowEnd)));
        }
    }

    private Optional<BreakEvenRecommendation> compute(String key, ScopeSeen seen, OnPremPrice price, double watts,
                                                      long windowEnd, long computedAt) {
        long windowStart = Math.max(windowEnd - config.window().toMillis(), seen.firstMinuteMs());
        int slots = (int) ((windowEnd - windowStart) / MINUTE);
        if (slots <= 0) {
            return Optional.empty();
        }
        long[] gpuMs = new long[slots];
        long totalMs = 0;
        long totalCost = 0;
        try (WindowStoreIterator<MinuteUsage> it = demand.fetch(key, Instant.ofEpochMilli(windowStart),
                Instant.ofEpochMilli(windowEnd - 1))) {
            while (it.hasNext()) {
                KeyValue<Long, MinuteUsage> m = it.next();
                int slot = (int) ((m.key - windowStart) / MINUTE);
                if (slot >= 0 && slot < slots) {
                    // more than a minute per GPU in a minute would be a collector bug; the calculator sees it as is
                    gpuMs[slot] += m.value.gpuMs();
                    totalMs += m.value.gpuMs();
                    totalCost += m.value.costMicroUsd();
                }
            }
        }
        long rate = totalMs == 0 ? 0 : Math.round((double) totalCost * CostModel.MS_PER_HOUR / totalMs);
        BreakEvenResult r = BreakEvenCalculator.compute(new DemandCurve(MINUTE, gpuMs), rate, OwnershipCost.of(price, watts));
        // history: from the first observed minute (within the window) to the window's end
        double historyDays = (windowEnd - windowStart) / (double) Duration.ofDays(1).toMillis();
        boolean enough = windowEnd - windowStart >= config.minHistory().toMillis();
        BreakEvenRecommendation.Builder b = BreakEvenRecommendation.newBuilder()
                .setScope(seen.scope())
                .setGpuModel(seen.gpuModel())
                .setComputedAt(Instant.ofEpochMilli(computedAt))
                .setWindowStart(Instant.ofEpochMilli(windowStart))
                .setWindowEnd(Instant.ofEpochMilli(windowEnd))
                .setPeakGpus(r.peakGpus())
                .setMeanGpus(r.meanGpus())
                .setLoadDuration(Arrays.stream(r.loadDuration()).boxed().toList())
                .setCloudMicroUsdPerGpuHour(rate)
                .setOwnedMonthlyMicroUsdPerGpu(r.owning().fixedMonthlyPerGpuMicroUsd())
                .setHistoryDays(historyDays);
        if (!enough) {
            // an hour of an 8-GPU job is no reason to buy 8 GPUs: no advice until the minimum history is observed
            return Optional.of(b.setHistory(HistoryStatus.INSUFFICIENT_HISTORY).setRecommendation(Recommendation.STAY_CLOUD)
                    .setOptimalOwnedGpus(0).setCapexMicroUsd(0).setBreakEvenMonths(null).setYearlySavingsMicroUsd(0).build());
        }
        return Optional.of(b.setHistory(HistoryStatus.SUFFICIENT)
                .setRecommendation(r.recommendation())
                .setOptimalOwnedGpus(r.optimalOwned())
                .setCapexMicroUsd(r.hybrid().capexMicroUsd())
                .setBreakEvenMonths(r.breakEvenMonths())
                .setYearlySavingsMicroUsd(r.yearlySavingsMicroUsd())
                .build());
    }
}
