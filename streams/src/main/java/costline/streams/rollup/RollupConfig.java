package costline.streams.rollup;

import costline.schemas.Topics;
import costline.streams.finance.Settings;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;

/**
 * Settings of the monthly rollup topology.
 *
 * @param registryUrl      {@code schema.registry.url}: the schema registry (required)
 * @param zone             {@code rollup.zone}: zone that draws the month edges (default UTC)
 * @param grace            {@code rollup.grace}: how long after a month ends data is still month-to-date before the
 *                         FINAL record (default PT6H)
 * @param retention        {@code rollup.retention}: how long after FINAL a month's totals are kept for corrections
 *                         (default P400D); data for a month older than that is dead-lettered
 * @param punctuateEvery   {@code rollup.punctuate-interval}: stream-time step at which closed months are looked for
 *                         (default PT1M)
 * @param inputTopic       {@code rollup.input-topic}: CostRecords (default gpu.cost)
 * @param outputTopic      {@code rollup.output-topic}: MonthlyRollups (default gpu.rollup.monthly)
 * @param deadLetterTopic  {@code rollup.dead-letter-topic}: CostRecords that cannot be counted (default gpu.finance.dlq)
 * @param wallClockClose   {@code rollup.wall-clock-close}: also close a month when the wall clock passes its end plus
 *                         grace (default true). Stream time is per partition: a partition whose keys fall quiet at
 *                         month end would otherwise wait for its next record to send FINAL. Set false to replay old
 *                         data, where the wall clock is far past every month.
 */
public record RollupConfig(String registryUrl, ZoneId zone, Duration grace, Duration retention, Duration punctuateEvery,
                           String inputTopic, String outputTopic, String deadLetterTopic, boolean wallClockClose) {


    public RollupConfig {
        Settings.require(registryUrl != null && !registryUrl.isBlank(), "schema.registry.url",
                "is not set: give the schema registry's base URL, e.g. http://localhost:8081");
        Settings.require(!punctuateEvery.isZero() && !punctuateEvery.isNegative(), "rollup.punctuate-interval",
                "must be > 0, e.g. PT1M");
        Settings.require(!grace.isNegative(), "rollup.grace", "must be >= 0, e.g. PT6H");
        Settings.require(retention.compareTo(Duration.ofDays(1)) >= 0, "rollup.retention",
                "must be at least P1D (corrections need the month's totals), e.g. P400D");
    }

    public static RollupConfig defaults(String registryUrl) {
        return new RollupConfig(registryUrl, ZoneId.of("UTC"), Duration.ofHours(6), Duration.ofDays(400),
                Duration.ofMinutes(1), Topics.GPU_COST, Topics.GPU_ROLLUP_MONTHLY, Topics.GPU_FINANCE_DLQ, true);
    }

    /** From flat settings; absent keys take the defaults. */
    public static RollupConfig from(Map<String, String> values) {
        Settings s = new Settings(values);
        RollupConfig d = defaults(s.string("schema.registry.url", ""));
        return new RollupConfig(d.registryUrl(), s.zone("rollup.zone", d.zone()), s.duration("rollup.grace", d.grace()),
                s.duration("rollup.retention", d.retention()), s.duration("rollup.punctuate-interval", d.punctuateEvery()),
                s.string("rollup.input-topic", d.inputTopic()), s.string("rollup.output-topic", d.outputTopic()),
                s.string("rollup.dead-letter-topic", d.deadLetterTopic()), bool(s, "rollup.wall-clock-close", true));
    }

    private static boolean bool(Settings s, String key, boolean dflt) {
        String v = s.string(key, String.valueOf(dflt)).toLowerCase(java.util.Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(key + " = '" + v + "': use true or false");
        }
        return Boolean.parseBoolean(v);
    }

    public RollupConfig withZone(ZoneId z) {
        return new RollupConfig(registryUrl, z, grace, retention, punctuateEvery, inputTopic, outputTopic, deadLetterTopic, wallClockClose);
    }

    public RollupConfig withGrace(Duration g) {
        return new RollupConfig(registryUrl, zone, g, retention, punctuateEvery, inputTopic, outputTopic, deadLetterTopic, wallClockClose);
    }

    public RollupConfig withRetention(Duration r) {
        return new RollupConfig(registryUrl, zone, grace, r, punctuateEvery, inputTopic, outputTopic, deadLetterTopic, wallClockClose);
    }

    public RollupConfig withWallClockClose(boolean on) {
        return new RollupConfig(registryUrl, zone, grace, retention, punctuateEvery, inputTopic, outputTopic, deadLetterTopic, on);
    }
}
