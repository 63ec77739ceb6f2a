package costline.app.report;

import costline.events.BreakEvenRecommendation;
import costline.events.DriftSignal;
import costline.events.MonthlyRollup;
import costline.events.SpendAlert;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Everything the monthly report shows, as read from the topics; money in micro-USD, time in GPU-ms.
 *
 * @param rollups          the month's latest rollup per key of gpu.rollup.monthly (the CSV's rows), with origin
 * @param previous         the previous month's latest rollups (for the change against it), empty when none
 * @param dailyCost        day -> workload -> cost that day (cloud and on-prem), micro-USD, summed from gpu.cost
 * @param dailyCloud       scope (workload or *fleet*) -> day -> cloud cost that day, micro-USD, from gpu.cost
 * @param alerts           scope -> the month's gpu.alerts transitions, in topic order
 * @param recommendations  the latest recommendation per key of gpu.breakeven, with origin
 * @param drift            gpu.drift signals detected in the month
 * @param costIncrements   gpu.cost records of the month that were summed
 * @param undecodable      records of any topic that could not be decoded or counted (skipped)
 * @param skipped          one line per topic with skipped records, by reason (printed on stderr by the command)
 */
public record MonthData(YearMonth month, List<Sourced<MonthlyRollup>> rollups, List<MonthlyRollup> previous,
                        SortedMap<LocalDate, Map<String, Long>> dailyCost, Map<String, SortedMap<LocalDate, Long>> dailyCloud,
                        Map<String, List<SpendAlert>> alerts, List<Sourced<BreakEvenRecommendation>> recommendations,
                        List<DriftSignal> drift, long costIncrements, long undecodable, List<String> skipped) {

    public MonthData(YearMonth month, List<Sourced<MonthlyRollup>> rollups, List<MonthlyRollup> previous,
                     SortedMap<LocalDate, Map<String, Long>> dailyCost, Map<String, SortedMap<LocalDate, Long>> dailyCloud,
                     Map<String, List<SpendAlert>> alerts, List<Sourced<BreakEvenRecommendation>> recommendations,
                     List<DriftSignal> drift, long costIncrements, long undecodable) {
        this(month, rollups, previous, dailyCost, dailyCloud, alerts, recommendations, drift, costIncrements, undecodable, List.of());
    }

    /** A value and the topic record it came from. */
    public record Sourced<T>(T value, String topic, int partition, long offset, String key) {
    }

    public boolean empty() {
        return rollups.isEmpty() && dailyCost.isEmpty() && drift.isEmpty();
    }
}
