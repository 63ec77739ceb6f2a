package costline.streams.breakeven;

import costline.schemas.Topics;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Setting;
import costline.streams.config.Settings;
import costline.streams.config.SettingsException;
import costline.streams.finance.OnPremCatalog;
import costline.streams.runtime.StateExpiry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.PunctuationType;

/**
 * Settings of the break-even topology.
 *
 * @param registryUrl      {@code schema.registry.url} (required)
 * @param window           {@code breakeven.window}: trailing demand window (default P30D)
 * @param interval         {@code breakeven.interval}: how often every scope is recomputed (default PT1H)
 * @param priceCheckEvery  {@code breakeven.price-check-interval}: how often the on-prem prices in use are compared
 *                         with the catalog; a scope whose price changed is recomputed at once (default PT1M)
 * @param schedule         {@code breakeven.schedule}: WALL_CLOCK_TIME (default: hourly as the clock goes) or
 *                         STREAM_TIME (as the data's time goes: a replay recomputes as the live run did)
 * @param catalog          {@code onprem.*}: the on-prem equivalent of each cloud GPU model, and board power
 * @param inputTopic       {@code breakeven.input-topic} (default gpu.cost)
 * @param pricesTopic      {@code breakeven.prices-topic} (default gpu.prices)
 * @param outputTopic      {@code breakeven.output-topic} (default gpu.breakeven)
 * @param deadLetterTopic  {@code breakeven.dead-letter-topic} (default gpu.finance.dlq)
 * @param minHistory       {@code breakeven.min-history}: below this much observed demand the answer is
 *                         INSUFFICIENT_HISTORY with the days observed (default P14D; at most the window)
 * @param retention        {@code breakeven.retention}: a scope without demand for this long is forgotten (tombstone in
 *                         the changelog; default P31D, longer than the window)
 */
public record BreakEvenConfig(String registryUrl, Duration window, Duration interval, Duration priceCheckEvery,
                              PunctuationType schedule, OnPremCatalog catalog, String inputTopic, String pricesTopic,
                              String outputTopic, String deadLetterTopic, Duration minHistory,
                              Duration retention) {

    /** With the retention a day longer than the window. */
    public BreakEvenConfig(String registryUrl, Duration window, Duration interval, Duration priceCheckEvery,
                           PunctuationType schedule, OnPremCatalog catalog, String inputTopic, String pricesTopic,
                           String outputTopic, String deadLetterTopic, Duration minHistory) {
        this(registryUrl, window, interval, priceCheckEvery, schedule, catalog, inputTopic, pricesTopic, outputTopic,
                deadLetterTopic, minHistory, window.plusDays(1));
    }


    public static final Setting WINDOW = Setting.duration("breakeven.window", "30d", "1h", null,
            "trailing demand window (whole minutes)");
    public static final Setting INTERVAL = Setting.duration("breakeven.interval", "1h", "1ms", null,
            "how often every scope is recomputed");
    public static final Setting PRICE_CHECK_INTERVAL = Setting.duration("breakeven.price-check-interval", "1m", "1ms", null,
            "how often the on-prem prices in use are compared with the catalog; a scope whose price changed is recomputed at once");
    public static final Setting SCHEDULE = Setting.choice("breakeven.schedule", PunctuationType.WALL_CLOCK_TIME,
            PunctuationType.class, "WALL_CLOCK_TIME: recompute as the clock goes; STREAM_TIME: as the data's time goes (a replay recomputes as the live run did)");
    public static final Setting INPUT_TOPIC = new Setting("breakeven.input-topic", Topics.GPU_COST, "CostRecord input");
    public static final Setting PRICES_TOPIC = new Setting("breakeven.prices-topic", Topics.GPU_PRICES, "PriceEntry input");
    public static final Setting OUTPUT_TOPIC = new Setting("breakeven.output-topic", Topics.GPU_BREAKEVEN,
            "BreakEvenRecommendation output");
    public static final Setting DEAD_LETTER_TOPIC = new Setting("breakeven.dead-letter-topic", Topics.GPU_FINANCE_DLQ,
            "records that cannot be counted");
    public static final Setting MIN_HISTORY = Setting.duration("breakeven.min-history", "14d", "0s", null,
            "observed demand needed before advice (at most the window); below it the answer is INSUFFICIENT_HISTORY with history_days");

    public static final Setting RETENTION = Setting.duration("breakeven.retention", null, "1h", null,
            "a scope without demand this long is forgotten (tombstones in the changelog); longer than breakeven.window (unset: the window + 1d)");

    /** What the break-even topology reads. */
    public static final List<Setting> SETTINGS = settings();

    private static List<Setting> settings() {
        List<Setting> all = new ArrayList<>(List.of(KafkaSettings.REGISTRY_URL, WINDOW, INTERVAL, PRICE_CHECK_INTERVAL,
                SCHEDULE, INPUT_TOPIC, PRICES_TOPIC, OUTPUT_TOPIC, DEAD_LETTER_TOPIC, MIN_HISTORY, RETENTION));
        all.addAll(OnPremCatalog.SETTINGS);
        return List.copyOf(all);
    }

    public BreakEvenConfig {
        SettingsException.require(registryUrl != null && !registryUrl.isBlank(), KafkaSettings.REGISTRY_URL.key(),
                "is not set", "give the schema registry's base URL, e.g. http://localhost:8081");
        SettingsException.require(window.compareTo(Duration.ofHours(1)) >= 0, WINDOW.key(), window + " is under an hour",
                "use at least 1h, e.g. 30d");
        SettingsException.require(window.toMillis() % 60_000 == 0, WINDOW.key(), window + " is not whole minutes",
                "use whole minutes, e.g. 30d");
        SettingsException.require(!interval.isZero() && !interval.isNegative(), INTERVAL.key(), interval + " is not above zero",
                "use e.g. 1h");
        SettingsException.require(!minHistory.isNegative() && minHistory.compareTo(window) <= 0, MIN_HISTORY.key(),
                minHistory + " is longer than " + WINDOW.key() + " (" + window + ")",
                "use a duration between 0s and the window, e.g. 14d");
        SettingsException.require(!priceCheckEvery.isZero() && !priceCheckEvery.isNegative(), PRICE_CHECK_INTERVAL.key(),
                priceCheckEvery + " is not above zero", "use e.g. 1m");
        StateExpiry.requireLonger(RETENTION.key(), retention, WINDOW.key(), window);
    }

    public static BreakEvenConfig defaults(String registryUrl) {
        return new BreakEvenConfig(registryUrl, Duration.ofDays(30), Duration.ofHours(1), Duration.ofMinutes(1),
                PunctuationType.WALL_CLOCK_TIME, OnPremCatalog.defaults(), Topics.GPU_COST, Topics.GPU_PRICES,
                Topics.GPU_BREAKEVEN, Topics.GPU_FINANCE_DLQ, Duration.ofDays(14));
    }

    public static BreakEvenConfig from(Settings s) {
        return new BreakEvenConfig(s.string(KafkaSettings.REGISTRY_URL), s.duration(WINDOW), s.duration(INTERVAL),
                s.duration(PRICE_CHECK_INTERVAL), s.choice(SCHEDULE, PunctuationType.class), OnPremCatalog.from(s),
                s.string(INPUT_TOPIC), s.string(PRICES_TOPIC), s.string(OUTPUT_TOPIC), s.string(DEAD_LETTER_TOPIC),
                s.duration(MIN_HISTORY),
                s.has(RETENTION.key()) ? s.duration(RETENTION) : s.duration(WINDOW).plusDays(1));
    }

    /** With window {@code w} and schedule {@code type}; the minimum history shrinks to the window if longer. */
    public BreakEvenConfig with(Duration w, PunctuationType type) {
        return new BreakEvenConfig(registryUrl, w, interval, priceCheckEvery, type, catalog, inputTopic, pricesTopic,
                outputTopic, deadLetterTopic, minHistory.compareTo(w) > 0 ? w : minHistory,
                retention.compareTo(w) > 0 ? retention : w.plusDays(1));
    }

    public BreakEvenConfig withMinHistory(Duration min) {
        return new BreakEvenConfig(registryUrl, window, interval, priceCheckEvery, schedule, catalog, inputTopic, pricesTopic,
                outputTopic, deadLetterTopic, min, retention);
    }

    public BreakEvenConfig withRetention(Duration r) {
        return new BreakEvenConfig(registryUrl, window, interval, priceCheckEvery, schedule, catalog, inputTopic, pricesTopic,
                outputTopic, deadLetterTopic, minHistory, r);
    }
}
