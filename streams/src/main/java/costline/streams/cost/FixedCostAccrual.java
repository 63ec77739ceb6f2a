package costline.streams.cost;

import costline.events.GpuSample;
import costline.events.OwnedGpu;
import costline.events.PriceEntry;
import costline.events.Site;
import costline.pricing.CostModel;
import costline.pricing.Shares;
import costline.schemas.Topics;
import costline.streams.prices.PriceBook;
import costline.streams.prices.PriceKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Owned GPUs cost money by the calendar, sampled or not. For every GPU of the inventory ({@link OwnedGpu}) the fixed
 * cost (amortized capex + operations, at the on-prem price of its model in force, cut at every price version) of
 * each hour it is in service is charged in full:
 * <ul>
 *   <li>samples charge their part of it to their workloads as before (busy, idle, unallocated), and this class
 *       remembers, per GPU and hour still open, how much fixed cost (and GPU time) they charged;</li>
 *   <li>when an hour closes (the clock passes its end plus a grace) the rest of the hour's fixed cost, what no sample
 *       charged, is booked to the reserved workload {@value Topics#UNOBSERVED}, in the hour's first minute;</li>
 *   <li>a sample that arrives for an hour already closed moves its fixed cost back from {@value Topics#UNOBSERVED}
 *       with a negative increment there (its workloads get the positive one as always).</li>
 * </ul>
 * So for every closed hour, whatever the collectors did (an outage, a dropped or a dead-lettered sample, a GPU that
 * never samples), the GPU's fixed cost in gpu.cost is exactly its hourly fixed cost: a month's is GPUs in service x
 * hours x the rate per GPU-hour (whole micro-dollars), partial hours at the in-service and retirement instants and
 * at a price change pro rata. The GPU's energy stays with its samples.
 *
 * <p>The state is bounded: a GPU's closing cursor (hours before it are closed) and the charged amounts of its open
 * hours only, forgotten when they close. An inventory change applies to the hours that close after it; hours already
 * closed stay as booked (the audit, which folds the inventory as it is when it runs, shows a retroactive change as a
 * difference).
 *
 * <p>Pure code over {@link State}: the cost topology runs it over its stores, {@link BatchFold} over plain maps.
 */
final class FixedCostAccrual {

    static final long HOUR_MS = CostModel.MS_PER_HOUR;

    /** What the accrual remembers. */
    interface State {
        /** The inventory entry in force for the GPU, or null when it is not in the inventory. */
        OwnedGpu gpu(String gpuId);

        /** Ids of every GPU in the inventory. */
        Iterable<String> gpuIds();

        /** Start of the first hour not closed yet, or null when none was closed. */
        Long cursor(String gpuId);

        void cursor(String gpuId, long hourMs);

        /** Fixed cost (micro-USD) and GPU time (ms) samples charged in an open hour, [0, 0] when none. */
        long[] charged(String gpuId, long hourMs);

        void charged(String gpuId, long hourMs, long[] microUsdAndMs);

        /** The hours with charged amounts of a GPU before {@code beforeHourMs}, forgotten as they are returned. */
        NavigableMap<Long, long[]> takeCharged(String gpuId, long beforeHourMs);
    }

    /** Receives unobserved increments: one minute (the hour's first), the GPU's model, the part. */
    interface Sink {
        void add(long minuteMs, String gpuModel, Part part);
    }

    private FixedCostAccrual() {
    }

    /**
     * A sample was costed (or re-costed as a correction that was first costed over {@code previousIntervalMs}): remember
     * the fixed cost it charged in open hours, and move what it charged in closed hours out of the unobserved bucket.
     */
    static void onSample(GpuSample s, long previousIntervalMs, PriceBook prices, State state, Sink sink) {
        if (s.getSite() != Site.ONPREM) {
            return;
        }
        OwnedGpu gpu = state.gpu(s.getGpuId());
        if (gpu == null) {
            return;
        }
        Map<Long, long[]> byHour = sampledFixed(s, s.getIntervalMs(), prices, gpu);
        if (previousIntervalMs > 0) {
            sampledFixed(s, previousIntervalMs, prices, gpu).forEach((hour, v) ->
                    add(byHour, hour, -v[0], -v[1]));
        }
        Long cursor = state.cursor(s.getGpuId());
        for (Map.Entry<Long, long[]> e : byHour.entrySet()) {
            long hour = e.getKey();
            long usd = e.getValue()[0];
            long ms = e.getValue()[1];
            if (usd == 0 && ms == 0) {
                continue;
            }
            if (cursor != null && hour < cursor) {
                sink.add(hour, gpu.getGpuModel(), unobserved(-ms, -usd));
            } else {
                long[] was = state.charged(s.getGpuId(), hour);
                state.charged(s.getGpuId(), hour, new long[] {was[0] + usd, was[1] + ms});
            }
        }
    }

    /**
     * Closes every hour that ends at or before {@code clockMs - graceMs} for every GPU of the inventory, at most
     * {@code maxHours} GPU-hours in one call (a GPU in service for years is caught up over several calls); returns
     * true when everything due is closed. Hours older than {@code maxAgeMs} before the clock are not booked: samples
     * that old are refused (PAST_TIMESTAMP), so nothing is known of them, and the numbering of increments for
     * minutes that old is forgotten.
     */
    static boolean close(long clockMs, long graceMs, long maxAgeMs, PriceBook prices, State state, Sink sink, long maxHours) {
        long closeEnd = Math.floorDiv(clockMs - graceMs, HOUR_MS) * HOUR_MS;
        long oldest = Math.floorDiv(clockMs - maxAgeMs, HOUR_MS) * HOUR_MS;
        long budget = maxHours;
        List<String> ids = new ArrayList<>();
        state.gpuIds().forEach(ids::add);
        for (String id : ids) {
            OwnedGpu gpu = state.gpu(id);
            Long cursor = state.cursor(id);
            if (gpu == null || (cursor != null && cursor >= closeEnd)) {
                continue;
            }
            long inService = gpu.getInServiceFrom().toEpochMilli();
            long from = Math.max(oldest, Math.floorDiv(inService, HOUR_MS) * HOUR_MS);
            if (cursor != null) {
                from = Math.max(from, cursor);
            }
            long to = closeEnd;
            if (gpu.getRetiredAt() != null) {
                long retired = gpu.getRetiredAt().toEpochMilli();
                to = Math.min(to, Math.floorDiv(retired + HOUR_MS - 1, HOUR_MS) * HOUR_MS);
            }
            long hours = Math.max(0, (to - from) / HOUR_MS);
            boolean partial = hours > budget;
            if (partial) {
                to = from + budget * HOUR_MS;
            }
            long end = partial ? to : closeEnd;
            NavigableMap<Long, long[]> charged = state.takeCharged(id, end);
            for (long hour = from; hour < to; hour += HOUR_MS) {
                long[] fixed = hourFixed(gpu, hour, prices);
                long[] c = charged.getOrDefault(hour, new long[2]);
                long usd = fixed[0] - c[0];
                long ms = fixed[1] - c[1];
                if (usd != 0 || ms != 0) {
                    sink.add(hour, gpu.getGpuModel(), unobserved(ms, usd));
                }
            }
            // charged amounts of hours outside service (the inventory changed since) stay with their samples
            state.cursor(id, end);
            budget -= Math.min(hours, budget);
            if (partial) {
                return false;
            }
        }
        return true;
    }

    /**
     * The GPU's fixed cost in the hour starting at {@code hourMs} (micro-USD) and its time in service there (ms): the
     * in-service part of the hour cut at every price version of its model, each run priced at its version. A run with
     * no on-prem version in force costs nothing (the samples of it are dead-lettered NO_PRICE too).
     */
    static long[] hourFixed(OwnedGpu gpu, long hourMs, PriceBook prices) {
        long from = Math.max(hourMs, gpu.getInServiceFrom().toEpochMilli());
        long to = hourMs + HOUR_MS;
        if (gpu.getRetiredAt() != null) {
            to = Math.min(to, gpu.getRetiredAt().toEpochMilli());
        }
        if (to <= from) {
            return new long[2];
        }
        String key = PriceKeys.onPrem(gpu.getGpuModel());
        NavigableMap<Long, PriceEntry> versions = prices.versions(key);
        long usd = 0;
        long cur = from;
        while (cur < to) {
            Long next = versions.higherKey(cur);
            long end = next == null ? to : Math.min(to, next);
            PriceEntry p = prices.at(key, Site.ONPREM, cur);
            if (p != null) {
                usd += CostModel.onPremFixedCostMicroUsd(p.getOnprem(), end - cur);
            }
            cur = end;
        }
        return new long[] {usd, to - from};
    }

    /**
     * The fixed cost a sample charged (over {@code intervalMs} before its time), by hour, in-service time only: each
     * price run's fixed cost exactly as {@link CostCalculator} charged it, split over the run's pieces between hour
     * edges and the in-service and retirement instants in proportion to their milliseconds.
     */
    static Map<Long, long[]> sampledFixed(GpuSample s, long intervalMs, PriceBook prices, OwnedGpu gpu) {
        Map<Long, long[]> out = new TreeMap<>();
        List<SampleCosting.Run> runs = SampleCosting.runs(s, intervalMs, prices);
        if (runs == null) {
            return out;
        }
        long inService = gpu.getInServiceFrom().toEpochMilli();
        long retired = gpu.getRetiredAt() == null ? Long.MAX_VALUE : gpu.getRetiredAt().toEpochMilli();
        for (SampleCosting.Run run : runs) {
            long fixed = CostModel.onPremFixedCostMicroUsd(run.price().getOnprem(), run.toMs() - run.fromMs());
            List<long[]> cuts = new ArrayList<>(); // [from, to)
            long cur = run.fromMs();
            while (cur < run.toMs()) {
                long end = Math.min(run.toMs(), Math.floorDiv(cur, HOUR_MS) * HOUR_MS + HOUR_MS);
                if (cur < inService && inService < end) {
                    end = inService;
                }
                if (cur < retired && retired < end) {
                    end = retired;
                }
                cuts.add(new long[] {cur, end});
                cur = end;
            }
            double[] weights = new double[cuts.size()];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = cuts.get(i)[1] - cuts.get(i)[0];
            }
            long[] parts = weights.length == 1 ? new long[] {fixed} : Shares.split(fixed, weights);
            for (int i = 0; i < parts.length; i++) {
                long[] cut = cuts.get(i);
                if (cut[0] >= inService && cut[0] < retired) {
                    add(out, Math.floorDiv(cut[0], HOUR_MS) * HOUR_MS, parts[i], cut[1] - cut[0]);
                }
            }
        }
        return out;
    }

    private static void add(Map<Long, long[]> m, long hour, long usd, long ms) {
        long[] v = m.computeIfAbsent(hour, h -> new long[2]);
        v[0] += usd;
        v[1] += ms;
    }

    /** Unobserved GPU time is not known to be busy: all of it counts as idle. */
    private static Part unobserved(long gpuMs, long microUsd) {
        return new Part(Topics.UNOBSERVED, null, gpuMs, 0, microUsd, microUsd, 0, 0);
    }
}
