package costline.streams.breakeven;

import static costline.streams.finance.FinanceFixtures.A100;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import costline.events.BreakEvenRecommendation;
import costline.events.HistoryStatus;
import costline.events.CostRecord;
import costline.events.OnPremPrice;
import costline.events.PriceEntry;
import costline.events.Recommendation;
import costline.events.Site;
import costline.pricing.CostModel;
import costline.schemas.Topics;
import costline.schemas.serde.AvroSerde;
import costline.streams.finance.FinanceFixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.PunctuationType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BreakEvenTopologyTest {

    final String registry = "mock://breakeven-" + UUID.randomUUID();
    TopologyTestDriver driver;
    TestInputTopic<String, CostRecord> costs;
    TestInputTopic<String, PriceEntry> prices;
    TestOutputTopic<String, BreakEvenRecommendation> out;

    void start(BreakEvenConfig config) {
        driver = new TopologyTestDriver(BreakEvenTopology.build(config), FinanceFixtures.driverProps("breakeven-test"),
                Instant.parse("2026-11-27T00:00:00Z"));
        costs = driver.createInputTopic(Topics.GPU_COST, Serdes.String().serializer(),
                AvroSerde.forValues(registry, CostRecord.class).serializer());
        prices = driver.createInputTopic(Topics.GPU_PRICES, Serdes.String().serializer(),
                AvroSerde.forValues(registry, PriceEntry.class).serializer());
        out = driver.createOutputTopic(Topics.GPU_BREAKEVEN, Serdes.String().deserializer(),
                AvroSerde.forValues(registry, BreakEvenRecommendation.class).deserializer());
        PriceEntry p = FinanceFixtures.onPremA100(A100, 0);
        prices.pipeInput(costline.streams.prices.PriceKeys.topicKey(p), p);
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    /** {@code hours} hours of {@code gpus} cloud A100s at $4 per GPU-hour, as one record (spread over its minutes). */
    void use(String workload, Instant start, int hours, int gpus) {
        long gpuMs = gpus * 3_600_000L * hours;
        CostRecord r = CostRecord.newBuilder().setWorkload(workload).setTeam("ml").setSite(Site.CLOUD).setGpuModel(A100)
                .setWindowStart(start).setWindowEnd(start.plusSeconds(3600L * hours)).setGpuMs(gpuMs).setBusyGpuMs(gpuMs)
                .setCostMicroUsd(gpus * 4_000_000L * hours).setIdleMicroUsd(0).setEnergyMj(0).setSamples(1).build();
        costs.pipeInput(workload, r, start.plusSeconds(3600L * hours));
    }

    Map<String, BreakEvenRecommendation> latest() {
        Map<String, BreakEvenRecommendation> m = new HashMap<>();
        out.readKeyValuesToList().forEach(kv -> m.put(kv.key, kv.value));
        return m;
    }

    static final Instant DAY0 = Instant.parse("2026-11-20T00:00:00Z");

    @Test
    void theClassicCaseLiveBuysAndBreaksEvenInAbout7point4Months() {
        start(BreakEvenConfig.defaults(registry).with(Duration.ofDays(2), PunctuationType.WALL_CLOCK_TIME));
        use("train", DAY0, 48, 8);
        assertThat(out.isEmpty()).as("nothing before the schedule fires").isTrue();
        driver.advanceWallClockTime(Duration.ofHours(1));

        Map<String, BreakEvenRecommendation> got = latest();
        assertThat(got.keySet()).containsExactlyInAnyOrder("train|" + A100, "*fleet*|" + A100);
        BreakEvenRecommendation r = got.get("train|" + A100);
        assertThat(r.getRecommendation()).isEqualTo(Recommendation.BUY);
        assertThat(r.getOptimalOwnedGpus()).isEqualTo(8);
        assertThat(r.getPeakGpus()).isEqualTo(8);
        assertThat(r.getCloudMicroUsdPerGpuHour()).isEqualTo(4_000_000);
        assertThat(r.getBreakEvenMonths()).isCloseTo(7.3755, within(0.0005));
        assertThat(r.getCapexMicroUsd()).isEqualTo(CostModel.microUsd("160000"));
        assertThat(r.getWindowStart()).isEqualTo(DAY0);
        assertThat(r.getWindowEnd()).isEqualTo(DAY0.plus(Duration.ofDays(2)));
        assertThat(r.getLoadDuration()).containsOnly(1.0).hasSize(8);
        assertThat(r.getComputedAt()).isEqualTo(Instant.parse("2026-11-27T01:00:00Z"));
    }

    @Test
    void belowTheMinimumHistoryTheAnswerIsInsufficientHistoryWithTheDaysObserved() {
        // Defect 5. One hour of an 8-GPU job at $4 per GPU-hour: the old code answered BUY, 7.4 months. With the default
        // 30-day window and 14-day minimum, 1 hour = 1/24 = 0.041666... days observed is no basis for advice.
        start(BreakEvenConfig.defaults(registry).with(Duration.ofDays(30), PunctuationType.WALL_CLOCK_TIME));
        use("train", DAY0, 1, 8);
        driver.advanceWallClockTime(Duration.ofHours(1));
        BreakEvenRecommendation r = latest().get("train|" + A100);
        assertThat(r.getHistory()).isEqualTo(HistoryStatus.INSUFFICIENT_HISTORY);
        assertThat(r.getHistoryDays()).isCloseTo(1.0 / 24, within(1e-9));
        assertThat(r.getRecommendation()).isEqualTo(Recommendation.STAY_CLOUD);
        assertThat(r.getOptimalOwnedGpus()).isZero();
        assertThat(r.getBreakEvenMonths()).isNull();
        assertThat(r.getYearlySavingsMicroUsd()).isZero();
        // what was observed is still reported
        assertThat(r.getPeakGpus()).isEqualTo(8);

        // 14 days of it reach the minimum: BUY, breaking even in about 7.4 months as in the classic case
        use("train", DAY0.plus(Duration.ofHours(1)), 14 * 24 - 1, 8);
        driver.advanceWallClockTime(Duration.ofHours(1));
        BreakEvenRecommendation later = latest().get("train|" + A100);
        assertThat(later.getHistory()).isEqualTo(HistoryStatus.SUFFICIENT);
        assertThat(later.getHistoryDays()).isCloseTo(14.0, within(1e-9));
        assertThat(later.getRecommendation()).isEqualTo(Recommendation.BUY);
        assertThat(later.getBreakEvenMonths()).isCloseTo(7.3755, within(0.0005));
    }

    @Test
    void fourHoursADayStaysInTheCloudAndAPriceChangeIsRecomputedAtOnce() {
        start(BreakEvenConfig.defaults(registry).with(Duration.ofDays(3), PunctuationType.WALL_CLOCK_TIME));
        for (int d = 0; d < 3; d++) {
            use("batch", DAY0.plus(Duration.ofDays(d)), 4, 8);
        }
        // a record at the window's end: the demand curve covers the three days, idle hours included
        use("other", DAY0.plus(Duration.ofDays(3)).minusSeconds(3600), 1, 0);
        driver.advanceWallClockTime(Duration.ofHours(1));
        BreakEvenRecommendation r = latest().get("batch|" + A100);
        assertThat(r.getRecommendation()).isEqualTo(Recommendation.STAY_CLOUD);
        assertThat(r.getOptimalOwnedGpus()).isZero();
        assertThat(r.getLoadDuration().get(0)).isCloseTo(4.0 / 24, within(1e-9));
        assertThat(r.getBreakEvenMonths()).isNull();

        // nothing changed: the price check sends nothing
        driver.advanceWallClockTime(Duration.ofMinutes(1));
        assertThat(out.isEmpty()).isTrue();

        // the server gets far cheaper: 4 hours a day now pays, recomputed within the minute
        PriceEntry cheap = FinanceFixtures.onPremA100(A100, 0);
        cheap.setOnprem(OnPremPrice.newBuilder(cheap.getOnprem()).setCapexPerGpuMicroUsd(CostModel.microUsd("5000"))
                .setYearlyOpsPerGpuMicroUsd(CostModel.microUsd("500")).build());
        prices.pipeInput(costline.streams.prices.PriceKeys.topicKey(cheap), cheap);
        driver.advanceWallClockTime(Duration.ofMinutes(1));
        Map<String, BreakEvenRecommendation> after = latest();
        assertThat(after.get("batch|" + A100).getRecommendation()).isEqualTo(Recommendation.BUY);
        assertThat(after.get("batch|" + A100).getOwnedMonthlyMicroUsdPerGpu())
                .isEqualTo(CostModel.onPremFixedMonthlyMicroUsd(cheap.getOnprem()));
    }

    @Test
    void aSteadyWorkloadAndAPeakyOneMakeAHybridFleet() {
        start(BreakEvenConfig.defaults(registry).with(Duration.ofDays(2), PunctuationType.STREAM_TIME));
        use("serving", DAY0, 48, 4);
        for (int d = 0; d < 2; d++) {
            use("nightly", DAY0.plus(Duration.ofDays(d)), 2, 4);
        }
        // stream time moves an hour on: the stream-time schedule fires
        use("serving", DAY0.plus(Duration.ofDays(2)), 1, 4);
        Map<String, BreakEvenRecommendation> got = latest();
        assertThat(got.get("serving|" + A100).getRecommendation()).isEqualTo(Recommendation.BUY);
        assertThat(got.get("nightly|" + A100).getRecommendation()).isEqualTo(Recommendation.STAY_CLOUD);
        BreakEvenRecommendation fleet = got.get("*fleet*|" + A100);
        assertThat(fleet.getRecommendation()).isEqualTo(Recommendation.HYBRID);
        assertThat(fleet.getOptimalOwnedGpus()).isEqualTo(4);
        assertThat(fleet.getPeakGpus()).isEqualTo(8);
        assertThat(fleet.getScope()).isEqualTo("*fleet*");
        assertThat(fleet.getYearlySavingsMicroUsd()).isPositive();
    }

    @Test
    void aScopeWithoutDemandIsForgottenAfterTheRetentionWithATombstone() {
        // window 2 days, retention 3 days, recomputed hourly as the data's time goes
        start(BreakEvenConfig.defaults(registry).with(Duration.ofDays(2), PunctuationType.STREAM_TIME).withRetention(Duration.ofDays(3)));
        use("gone", DAY0, 2, 1);
        for (int h = 0; h < 4 * 24; h++) {
            use("live", DAY0.plus(Duration.ofHours(h)), 1, 2);
        }
        org.apache.kafka.streams.state.KeyValueStore<String, ScopeSeen> scopes = driver.getKeyValueStore(BreakEvenTopology.SCOPES);
        // gone's last minute is 01:59 on day 0, the data's time 4 days later: past the 3-day retention
        assertThat(scopes.get("gone|" + A100)).isNull();
        assertThat(scopes.get("live|" + A100)).isNotNull();
        assertThat(scopes.get("*fleet*|" + A100)).isNotNull();
        java.util.List<String> tombstones = driver.createOutputTopic("breakeven-test-" + BreakEvenTopology.SCOPES + "-changelog",
                        Serdes.String().deserializer(), Serdes.ByteArray().deserializer()).readRecordsToList().stream()
                .filter(r -> r.value() == null).map(org.apache.kafka.streams.test.TestRecord::key).toList();
        assertThat(tombstones).containsExactly("gone|" + A100);
        // and no advice for it once its demand left the window (2 days after its last minute)
        java.util.List<org.apache.kafka.streams.KeyValue<String, BreakEvenRecommendation>> all = out.readKeyValuesToList();
        assertThat(all.stream().filter(kv -> kv.key.equals("gone|" + A100))
                .map(kv -> kv.value.getWindowEnd()).max(Instant::compareTo).orElseThrow())
                .isBeforeOrEqualTo(DAY0.plus(Duration.ofDays(2)).plus(Duration.ofHours(2)));
        assertThat(all).anyMatch(kv -> kv.key.equals("live|" + A100) && kv.value.getWindowEnd().isAfter(DAY0.plus(Duration.ofDays(3))));
    }

    @Test
    void aRetentionNotLongerThanTheWindowStopsStartUp() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BreakEvenConfig.from(costline.streams.config.Settings.of(Map.of("schema.registry.url", "mock://x",
                        "breakeven.window", "P30D", "breakeven.retention", "P30D"))))
                .isInstanceOf(costline.streams.config.SettingsException.class).hasMessageContaining("breakeven.retention").hasMessageContaining("breakeven.window");
        assertThat(BreakEvenConfig.from(costline.streams.config.Settings.of(Map.of("schema.registry.url", "mock://x"))).retention()).isEqualTo(Duration.ofDays(31));
        assertThat(BreakEvenConfig.from(costline.streams.config.Settings.of(Map.of("schema.registry.url", "mock://x", "breakeven.window", "P60D"))).retention())
                .isEqualTo(Duration.ofDays(61));
    }
}
