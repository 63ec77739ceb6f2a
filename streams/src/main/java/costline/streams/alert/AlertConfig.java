package costline.streams.alert;

import costline.schemas.Topics;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Setting;
import costline.streams.config.Settings;
import costline.streams.config.SettingsException;
import costline.streams.finance.OnPremCatalog;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of the spend alert topology.
 *
 * @param registryUrl     {@code schema.registry.url} (required)
 * @param zone            {@code alert.zone}: zone of the calendar month (default UTC)
 * @param minElapsed      {@code alert.min-elapsed}: month-to-date span a run-rate projection needs before it may
 *                        raise a WARNING (default P1D: the projection runs the trailing day's rates, so it needs a day of data)
 * @param punctuateEvery  {@code alert.punctuate-interval}: stream-time step at which ended months are resolved
 *                        (default PT1M)
 * @param catalog         {@code onprem.*}: which on-prem price stands for a cloud GPU model, and board power
 * @param inputTopic      {@code alert.input-topic} (default gpu.cost)
 * @param pricesTopic     {@code alert.prices-topic} (default gpu.prices)
 * @param outputTopic     {@code alert.output-topic} (default gpu.alerts)
 * @param deadLetterTopic {@code alert.dead-letter-topic} (default gpu.finance.dlq)
 */
public record AlertConfig(String registryUrl, ZoneId zone, Duration minElapsed, Duration punctuateEvery,
                          OnPremCatalog catalog, String inputTopic, String pricesTopic, String outputTopic,
                          String deadLetterTopic) {

    public static final Setting ZONE = Setting.zone("alert.zone", "UTC", "time zone that draws the month's edges");
    public static final Setting MIN_ELAPSED = Setting.duration("alert.min-elapsed", "1d", "0s", null,
            "month-to-date span a run-rate projection needs before it may raise a WARNING");
    public static final Setting PUNCTUATE_INTERVAL = Setting.duration("alert.punctuate-interval", "1m", "1ms", null,
            "stream-time step at which ended months are resolved");
    public static final Setting INPUT_TOPIC = new Setting("alert.input-topic", Topics.GPU_COST, "CostRecord input");
    public static final Setting PRICES_TOPIC = new Setting("alert.prices-topic", Topics.GPU_PRICES, "PriceEntry input");
    public static final Setting OUTPUT_TOPIC = new Setting("alert.output-topic", Topics.GPU_ALERTS, "SpendAlert output");
    public static final Setting DEAD_LETTER_TOPIC = new Setting("alert.dead-letter-topic", Topics.GPU_FINANCE_DLQ,
            "records that cannot be counted");

    /** What the spend alert topology reads. */
    public static final List<Setting> SETTINGS = settings();

    private static List<Setting> settings() {
        List<Setting> all = new ArrayList<>(List.of(KafkaSettings.REGISTRY_URL, ZONE, MIN_ELAPSED, PUNCTUATE_INTERVAL,
                INPUT_TOPIC, PRICES_TOPIC, OUTPUT_TOPIC, DEAD_LETTER_TOPIC));
        all.addAll(OnPremCatalog.SETTINGS);
        return List.copyOf(all);
    }

    public AlertConfig {
        SettingsException.require(registryUrl != null && !registryUrl.isBlank(), KafkaSettings.REGISTRY_URL.key(),
                "is not set", "give the schema registry's base URL, e.g. http://localhost:8081");
        SettingsException.require(!punctuateEvery.isZero() && !punctuateEvery.isNegative(), PUNCTUATE_INTERVAL.key(),
                punctuateEvery + " is not above zero", "use e.g. 1m");
    }

    public static AlertConfig defaults(String registryUrl) {
        return new AlertConfig(registryUrl, ZoneId.of("UTC"), Duration.ofDays(1), Duration.ofMinutes(1),
                OnPremCatalog.defaults(), Topics.GPU_COST, Topics.GPU_PRICES, Topics.GPU_ALERTS, Topics.GPU_FINANCE_DLQ);
    }

    public static AlertConfig from(Settings s) {
        return new AlertConfig(s.string(KafkaSettings.REGISTRY_URL), s.zone(ZONE), s.duration(MIN_ELAPSED),
                s.duration(PUNCTUATE_INTERVAL), OnPremCatalog.from(s), s.string(INPUT_TOPIC), s.string(PRICES_TOPIC),
                s.string(OUTPUT_TOPIC), s.string(DEAD_LETTER_TOPIC));
    }

    public AlertConfig withMinElapsed(Duration m) {
        return new AlertConfig(registryUrl, zone, m, punctuateEvery, catalog, inputTopic, pricesTopic, outputTopic, deadLetterTopic);
    }

    public AlertConfig withCatalog(OnPremCatalog c) {
        return new AlertConfig(registryUrl, zone, minElapsed, punctuateEvery, c, inputTopic, pricesTopic, outputTopic, deadLetterTopic);
    }
}
