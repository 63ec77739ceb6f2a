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
 */
public record RollupConfig(String registryUrl, ZoneId zone, Duration grace, Duration retention, Duration punctuateEvery,
                           String inputTopic, String outputTopic, String deadLetterTopic) {

    public static final String DEFAULT_DLQ = "gpu.finance.dlq";

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
                Duration.ofMinutes(1), Topics.GPU_COST, Topics.GPU_ROLLUP_MONTHLY, DEFAULT_DLQ);
    }

    /** From flat settings; absent keys take the defaults. */
    public static RollupConfig from(Map<String, String> values) {
        Settings s = new Settings(values);
        RollupConfig d = defaults(s.string("schema.registry.url", ""));
        return new RollupConfig(d.registryUrl(), s.zone("rollup.zone", d.zone()), s.duration("rollup.grace", d.grace()),
                s.duration("rollup.retention", d.retention()), s.duration("rollup.punctuate-interval", d.punctuateEvery()),
                s.string("rollup.input-topic", d.inputTopic()), s.string("rollup.output-topic", d.outputTopic()),
                s.string("rollup.dead-letter-topic", d.deadLetterTopic()));
    }

    public RollupConfig withZone(ZoneId z) {
        return new RollupConfig(registryUrl, z, grace, retention, punctuateEvery, inputTopic, outputTopic, deadLetterTopic);
    }

    public RollupConfig withGrace(Duration g) {
        return new RollupConfig(registryUrl, zone, g, retention, punctuateEvery, inputTopic, outputTopic, deadLetterTopic);
    }
}
