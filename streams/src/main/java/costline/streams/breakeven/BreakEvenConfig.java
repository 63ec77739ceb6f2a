package costline.streams.breakeven;

import costline.schemas.Topics;
import costline.streams.finance.OnPremCatalog;
import costline.streams.finance.OnPremSettings;
import costline.streams.finance.Settings;
import costline.streams.rollup.RollupConfig;
import costline.streams.runtime.StateExpiry;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
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


    public BreakEvenConfig {
        Settings.require(registryUrl != null && !registryUrl.isBlank(), "schema.registry.url",
                "is not set: give the schema registry's base URL, e.g. http://localhost:8081");
        Settings.require(window.compareTo(Duration.ofHours(1)) >= 0, "breakeven.window", "must be at least PT1H, e.g. P30D");
        Settings.require(window.toMillis() % 60_000 == 0, "breakeven.window", "must be whole minutes, e.g. P30D");
        Settings.require(!interval.isZero() && !interval.isNegative(), "breakeven.interval", "must be > 0, e.g. PT1H");
        Settings.require(!minHistory.isNegative() && minHistory.compareTo(window) <= 0, "breakeven.min-history",
                "must be between PT0S and breakeven.window (" + window + "), e.g. P14D");
        Settings.require(!priceCheckEvery.isZero() && !priceCheckEvery.isNegative(), "breakeven.price-check-interval",
                "must be > 0, e.g. PT1M");
        StateExpiry.requireLonger("breakeven.retention", retention, "breakeven.window", window);
    }

    public static BreakEvenConfig defaults(String registryUrl) {
        return new BreakEvenConfig(registryUrl, Duration.ofDays(30), Duration.ofHours(1), Duration.ofMinutes(1),
                PunctuationType.WALL_CLOCK_TIME, OnPremCatalog.defaults(), Topics.GPU_COST, Topics.GPU_PRICES,
                Topics.GPU_BREAKEVEN, Topics.GPU_FINANCE_DLQ, Duration.ofDays(14));
    }

    public static BreakEvenConfig from(Map<String, String> values) {
        Settings s = new Settings(values);
        BreakEvenConfig d = defaults(s.string("schema.registry.url", ""));
        String schedule = s.string("breakeven.schedule", d.schedule().name()).toUpperCase(Locale.ROOT);
        PunctuationType type;
        try {
            type = PunctuationType.valueOf(schedule);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("breakeven.schedule = '" + schedule + "': use WALL_CLOCK_TIME or STREAM_TIME");
        }
        return new BreakEvenConfig(d.registryUrl(), s.duration("breakeven.window", d.window()),
                s.duration("breakeven.interval", d.interval()),
                s.duration("breakeven.price-check-interval", d.priceCheckEvery()), type, OnPremSettings.from(values),
                s.string("breakeven.input-topic", d.inputTopic()), s.string("breakeven.prices-topic", d.pricesTopic()),
                s.string("breakeven.output-topic", d.outputTopic()),
                s.string("breakeven.dead-letter-topic", d.deadLetterTopic()),
                s.duration("breakeven.min-history", d.minHistory()),
                s.duration("breakeven.retention", s.duration("breakeven.window", d.window()).plusDays(1)));
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
