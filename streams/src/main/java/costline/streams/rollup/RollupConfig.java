package costline.streams.rollup;

import costline.schemas.Topics;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Setting;
import costline.streams.config.Settings;
import costline.streams.config.SettingsException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

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
 * @param emitInterval     {@code rollup.emit-interval}: how often the month-to-date totals of the keys changed since
 *                         the last emit are sent (wall clock; default 500ms, the cost topology's emit interval). One
 *                         record per changed key per interval instead of one per cost increment; FINAL and CORRECTION
 *                         records are sent at once, as before.
 */
public record RollupConfig(String registryUrl, ZoneId zone, Duration grace, Duration retention, Duration punctuateEvery,
                           String inputTopic, String outputTopic, String deadLetterTopic, boolean wallClockClose,
                           Duration emitInterval) {


    public static final Setting ZONE = Setting.zone("rollup.zone", "UTC", "time zone that draws month edges (any region id, e.g. Europe/Berlin)");
    public static final Setting GRACE = Setting.duration("rollup.grace", "6h", "0s", null,
            "after a month ends, data is still month-to-date for this long; then FINAL");
    public static final Setting RETENTION = Setting.duration("rollup.retention", "400d", "1d", null,
            "how long after FINAL a month's totals are kept for corrections; later data is dead-lettered (MONTH_PAST_RETENTION)");
    public static final Setting PUNCTUATE_INTERVAL = Setting.duration("rollup.punctuate-interval", "1m", "1ms", null,
            "stream-time step at which closed months are looked for");
    public static final Setting INPUT_TOPIC = new Setting("rollup.input-topic", Topics.GPU_COST, "CostRecord input");
    public static final Setting OUTPUT_TOPIC = new Setting("rollup.output-topic", Topics.GPU_ROLLUP_MONTHLY, "MonthlyRollup output");
    public static final Setting DEAD_LETTER_TOPIC = new Setting("rollup.dead-letter-topic", Topics.GPU_FINANCE_DLQ,
            "CostRecords that cannot be counted");
    public static final Setting WALL_CLOCK_CLOSE = Setting.bool("rollup.wall-clock-close", true,
            "also close months when the wall clock passes end + grace (a quiet partition would otherwise wait for its next record); false to replay old data");

    public static final Setting EMIT_INTERVAL = Setting.duration("rollup.emit-interval", "500ms", "1ms", "10m",
            "how often the month-to-date totals of the keys changed since the last emit are sent to gpu.rollup.monthly "
                    + "(wall clock): one record per changed key per interval, not one per cost increment; FINAL and "
                    + "CORRECTION are sent at once");

    /** What the rollup topology reads. */
    public static final List<Setting> SETTINGS = List.of(KafkaSettings.REGISTRY_URL, ZONE, GRACE, RETENTION,
            PUNCTUATE_INTERVAL, INPUT_TOPIC, OUTPUT_TOPIC, DEAD_LETTER_TOPIC, WALL_CLOCK_CLOSE, EMIT_INTERVAL);

    public RollupConfig {
        SettingsException.require(registryUrl != null && !registryUrl.isBlank(), KafkaSettings.REGISTRY_URL.key(),
                "is not set", "give the schema registry's base URL, e.g. http://localhost:8081");
        SettingsException.require(!punctuateEvery.isZero() && !punctuateEvery.isNegative(), PUNCTUATE_INTERVAL.key(),
                punctuateEvery + " is not above zero", "use e.g. 1m");
        SettingsException.require(!grace.isNegative(), GRACE.key(), grace + " is negative", "use e.g. 6h");
        SettingsException.require(retention.compareTo(Duration.ofDays(1)) >= 0, RETENTION.key(),
                retention + " is under a day", "keep at least 1d (corrections need the month's totals), e.g. 400d");
        SettingsException.require(emitInterval != null && !emitInterval.isZero() && !emitInterval.isNegative(),
                EMIT_INTERVAL.key(), emitInterval + " is not above zero", "use e.g. 500ms");
    }

    public static RollupConfig defaults(String registryUrl) {
        return new RollupConfig(registryUrl, ZoneId.of("UTC"), Duration.ofHours(6), Duration.ofDays(400),
                Duration.ofMinutes(1), Topics.GPU_COST, Topics.GPU_ROLLUP_MONTHLY, Topics.GPU_FINANCE_DLQ, true, Duration.ofMillis(500));
    }

    /** From the settings; absent keys take the defaults. */
    public static RollupConfig from(Settings s) {
        return new RollupConfig(s.string(KafkaSettings.REGISTRY_URL), s.zone(ZONE), s.duration(GRACE), s.duration(RETENTION),
                s.duration(PUNCTUATE_INTERVAL), s.string(INPUT_TOPIC), s.string(OUTPUT_TOPIC), s.string(DEAD_LETTER_TOPIC),
                s.bool(WALL_CLOCK_CLOSE), s.duration(EMIT_INTERVAL));
    }

    public RollupConfig withZone(ZoneId z) {
        return new RollupConfig(registryUrl, z, grace, retention, punctuateEvery, inputTopic, outputTopic, deadLetterTopic, wallClockClose, emitInterval);
    }

    public RollupConfig withGrace(Duration g) {
        return new RollupConfig(registryUrl, zone, g, retention, punctuateEvery, inputTopic, outputTopic, deadLetterTopic, wallClockClose, emitInterval);
    }

    public RollupConfig withRetention(Duration r) {
        return new RollupConfig(registryUrl, zone, grace, r, punctuateEvery, inputTopic, outputTopic, deadLetterTopic, wallClockClose, emitInterval);
    }

    public RollupConfig withEmitInterval(Duration every) {
        return new RollupConfig(registryUrl, zone, grace, retention, punctuateEvery, inputTopic, outputTopic, deadLetterTopic, wallClockClose, every);
    }

    public RollupConfig withWallClockClose(boolean on) {
        return new RollupConfig(registryUrl, zone, grace, retention, punctuateEvery, inputTopic, outputTopic, deadLetterTopic, on, emitInterval);
    }
}
