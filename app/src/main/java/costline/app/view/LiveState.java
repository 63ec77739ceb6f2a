package costline.app.view;

import costline.events.BreakEvenRecommendation;
import costline.events.CostRecord;
import costline.events.DriftSignal;
import costline.events.Site;
import costline.events.SpendAlert;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the live terminal view shows, folded from the pipeline's output topics: cost per workload this month,
 * the latest alert per workload, the latest recommendation per scope, and the most recent drift signals.
 * Money stays in micro-USD until it is printed.
 */
public final class LiveState {

    /** Month-to-date totals of one workload. */
    public static final class WorkloadTotals {
        long cloudMicroUsd;
        long onPremMicroUsd;
        long idleMicroUsd;
        long gpuMs;

        public long cloudMicroUsd() {
            return cloudMicroUsd;
        }

        public long onPremMicroUsd() {
            return onPremMicroUsd;
        }

        public long idleMicroUsd() {
            return idleMicroUsd;
        }

        public long gpuMs() {
            return gpuMs;
        }
    }

    private static final int DRIFT_KEPT = 6;

    private YearMonth month;
    private Instant latest = Instant.EPOCH;
    private final Map<String, WorkloadTotals> costs = new TreeMap<>();
    private final Map<String, SpendAlert> alerts = new TreeMap<>();
    private final Map<String, BreakEvenRecommendation> recommendations = new TreeMap<>();
    private final Deque<DriftSignal> drift = new ArrayDeque<>();

    public synchronized void onCost(CostRecord record) {
        if (costline.schemas.Topics.UNOBSERVED.equals(record.getWorkload())) {
            // owned GPUs' unsampled hours are booked by the wall clock, in a replay months ahead of the samples: they
            // would move the view's month and clock; the month's report and CSV show them
            return;
        }
        YearMonth recordMonth = YearMonth.from(record.getWindowStart().atZone(ZoneOffset.UTC));
        if (month == null || recordMonth.isAfter(month)) {
            // A new month starts the month-to-date view afresh, as finance would.
            month = recordMonth;
            costs.clear();
        } else if (recordMonth.isBefore(month)) {
            return;
        }
        if (record.getWindowEnd().isAfter(latest)) {
            latest = record.getWindowEnd();
        }
        WorkloadTotals totals = costs.computeIfAbsent(record.getWorkload(), w -> new WorkloadTotals());
        if (record.getSite() == Site.CLOUD) {
            totals.cloudMicroUsd += record.getCostMicroUsd();
        } else {
            totals.onPremMicroUsd += record.getCostMicroUsd();
        }
        totals.idleMicroUsd += record.getIdleMicroUsd();
        totals.gpuMs += record.getGpuMs();
    }

    public synchronized void onAlert(SpendAlert alert) {
        alerts.put(alert.getWorkload(), alert);
    }

    public synchronized void onRecommendation(BreakEvenRecommendation recommendation) {
        // One recommendation per scope and GPU model, as on gpu.breakeven.
        recommendations.put(recommendation.getScope() + " " + recommendation.getGpuModel(), recommendation);
    }

    public synchronized void onDrift(DriftSignal signal) {
        drift.addFirst(signal);
        while (drift.size() > DRIFT_KEPT) {
            drift.removeLast();
        }
    }

    public synchronized YearMonth month() {
        return month;
    }

    public synchronized Instant latest() {
        return latest;
    }

    public synchronized Map<String, WorkloadTotals> costs() {
        return new TreeMap<>(costs);
    }

    public synchronized Map<String, SpendAlert> alerts() {
        return new TreeMap<>(alerts);
    }

    public synchronized Map<String, BreakEvenRecommendation> recommendations() {
        return new TreeMap<>(recommendations);
    }

    public synchronized List<DriftSignal> drift() {
        return List.copyOf(drift);
    }
}
