package costline.streams.alert;

import costline.schemas.Topics;
import costline.streams.finance.OnPremCatalog;
import costline.streams.finance.OnPremSettings;
import costline.streams.finance.Settings;
import costline.streams.rollup.RollupConfig;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;

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

    /** The scope that stands for the whole fleet. */

    public AlertConfig {
        Settings.require(registryUrl != null && !registryUrl.isBlank(), "schema.registry.url",
                "is not set: give the schema registry's base URL, e.g. http://localhost:8081");
        Settings.require(!punctuateEvery.isZero() && !punctuateEvery.isNegative(), "alert.punctuate-interval",
                "must be > 0, e.g. PT1M");
    }

    public static AlertConfig defaults(String registryUrl) {
        return new AlertConfig(registryUrl, ZoneId.of("UTC"), Duration.ofDays(1), Duration.ofMinutes(1),
                OnPremCatalog.defaults(), Topics.GPU_COST, Topics.GPU_PRICES, Topics.GPU_ALERTS, Topics.GPU_FINANCE_DLQ);
    }

    public static AlertConfig from(Map<String, String> values) {
        Settings s = new Settings(values);
        AlertConfig d = defaults(s.string("schema.registry.url", ""));
        return new AlertConfig(d.registryUrl(), s.zone("alert.zone", d.zone()),
                s.duration("alert.min-elapsed", d.minElapsed()), s.duration("alert.punctuate-interval", d.punctuateEvery()),
                OnPremSettings.from(values), s.string("alert.input-topic", d.inputTopic()),
                s.string("alert.prices-topic", d.pricesTopic()), s.string("alert.output-topic", d.outputTopic()),
                s.string("alert.dead-letter-topic", d.deadLetterTopic()));
    }

    public AlertConfig withMinElapsed(Duration m) {
        return new AlertConfig(registryUrl, zone, m, punctuateEvery, catalog, inputTopic, pricesTopic, outputTopic, deadLetterTopic);
    }

    public AlertConfig withCatalog(OnPremCatalog c) {
        return new AlertConfig(registryUrl, zone, minElapsed, punctuateEvery, c, inputTopic, pricesTopic, outputTopic, deadLetterTopic);
    }
}
