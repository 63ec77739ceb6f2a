package costline.app.report;

import costline.events.BreakEvenRecommendation;
import costline.events.CostRecord;
import costline.events.DriftSignal;
import costline.events.MonthlyRollup;
import costline.events.Site;
import costline.events.SpendAlert;
import costline.schemas.Topics;
import costline.streams.config.Skips;
import costline.streams.finance.CostRecordCheck;
import costline.streams.rollup.RollupTopicReader;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Reads one month's report data from the pipeline's topics, as finance and the other reports do (the topics are the
 * record; the store is a copy for dashboards): the compacted rollup and break-even topics as their latest record per
 * key, gpu.cost's additive increments summed per day, gpu.alerts' transitions and gpu.drift's signals of the month.
 * Days are drawn in the rollups' zone (UTC unless the rollup topology was configured otherwise).
 */
public final class MonthDataReader {

    private MonthDataReader() {
    }

    public static MonthData read(String bootstrap, String registryUrl, YearMonth month, Duration timeout) {
        TopicScan scan = new TopicScan(bootstrap, registryUrl, timeout);
        Skips rollupSkips = new Skips(Topics.GPU_ROLLUP_MONTHLY);
        Skips costSkips = new Skips(Topics.GPU_COST);
        Skips alertSkips = new Skips(Topics.GPU_ALERTS);
        Skips breakEvenSkips = new Skips(Topics.GPU_BREAKEVEN);
        Skips driftSkips = new Skips(Topics.GPU_DRIFT);

        String prefix = month + "|";
        String previousPrefix = month.minusMonths(1) + "|";
        Map<String, MonthData.Sourced<MonthlyRollup>> rollups = new TreeMap<>();
        Map<String, MonthlyRollup> previous = new TreeMap<>();
        scan.scan(Topics.GPU_ROLLUP_MONTHLY, MonthlyRollup.class, rollupSkips, (o, r) -> {
            String invalid = r == null ? null : RollupTopicReader.reasonOf(r);
            if (invalid != null) {
                rollupSkips.count(invalid); // as report monthly and focus skip it
                return;
            }
            if (o.key() == null) {
                return;
            }
            if (o.key().startsWith(prefix)) {
                if (r == null) {
                    rollups.remove(o.key());
                } else {
                    rollups.put(o.key(), new MonthData.Sourced<>(r, o.topic(), o.partition(), o.offset(), o.key()));
                }
            } else if (o.key().startsWith(previousPrefix)) {
                if (r == null) {
                    previous.remove(o.key());
                } else {
                    previous.put(o.key(), r);
                }
            }
        });
        ZoneId zone = rollups.values().stream().findFirst().map(s -> zoneOf(s.value().getZone())).orElse(ZoneOffset.UTC);

        SortedMap<LocalDate, Map<String, Long>> dailyCost = new TreeMap<>();
        Map<String, SortedMap<LocalDate, Long>> dailyCloud = new TreeMap<>();
        long[] increments = {0};
        scan.scan(Topics.GPU_COST, CostRecord.class, costSkips, (o, c) -> {
            String invalid = CostRecordCheck.reasonOf(c); // NULL_VALUE for a tombstone: gpu.cost has none
            if (invalid != null) {
                costSkips.count(invalid); // what the rollups dead-letter is not drawn either
                return;
            }
            LocalDate day = LocalDate.ofInstant(c.getWindowStart(), zone);
            if (!YearMonth.from(day).equals(month)) {
                return;
            }
            increments[0]++;
            dailyCost.computeIfAbsent(day, d -> new TreeMap<>()).merge(c.getWorkload(), c.getCostMicroUsd(), Long::sum);
            if (c.getSite() == Site.CLOUD) {
                dailyCloud.computeIfAbsent(c.getWorkload(), w -> new TreeMap<>()).merge(day, c.getCostMicroUsd(), Long::sum);
                dailyCloud.computeIfAbsent(Topics.FLEET, w -> new TreeMap<>()).merge(day, c.getCostMicroUsd(), Long::sum);
            }
        });

        Map<String, List<SpendAlert>> alerts = new TreeMap<>();
        scan.scan(Topics.GPU_ALERTS, SpendAlert.class, alertSkips, (o, a) -> {
            if (a != null && a.getMonth().equals(month.toString())) {
                alerts.computeIfAbsent(a.getWorkload(), w -> new ArrayList<>()).add(a);
            }
        });
        alerts.values().forEach(list -> list.sort(Comparator.comparing(SpendAlert::getAt)));

        Map<String, MonthData.Sourced<BreakEvenRecommendation>> recommendations = new LinkedHashMap<>();
        scan.scan(Topics.GPU_BREAKEVEN, BreakEvenRecommendation.class, breakEvenSkips, (o, b) -> {
            if (b == null) {
                recommendations.remove(o.key());
            } else {
                recommendations.put(o.key(), new MonthData.Sourced<>(b, o.topic(), o.partition(), o.offset(), o.key()));
            }
        });

        List<DriftSignal> drift = new ArrayList<>();
        scan.scan(Topics.GPU_DRIFT, DriftSignal.class, driftSkips, (o, d) -> {
            if (d != null && YearMonth.from(d.getDetectedAt().atZone(zone)).equals(month)) {
                drift.add(d);
            }
        });
        drift.sort(Comparator.comparing(DriftSignal::getDetectedAt));

        List<Skips> skipped = List.of(rollupSkips, costSkips, alertSkips, breakEvenSkips, driftSkips);
        return new MonthData(month, List.copyOf(rollups.values()), List.copyOf(previous.values()), dailyCost, dailyCloud,
                alerts, new ArrayList<>(recommendations.values()), drift, increments[0], skipped.stream().mapToLong(Skips::total).sum(),
                skipped.stream().map(Skips::summary).filter(java.util.Objects::nonNull).toList());
    }

    /** The rollups' zone; one that is not a zone id (a hand-written record) is UTC rather than the end of the report. */
    static ZoneId zoneOf(String id) {
        try {
            return ZoneId.of(id);
        } catch (RuntimeException e) {
            return ZoneOffset.UTC;
        }
    }
}
