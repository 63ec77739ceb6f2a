package costline.streams.alert;

import static costline.streams.finance.FinanceFixtures.A100;
import static org.assertj.core.api.Assertions.assertThat;

import costline.events.AlertState;
import costline.events.CostRecord;
import costline.events.PriceEntry;
import costline.events.Site;
import costline.events.SpendAlert;
import costline.pricing.CostModel;
import costline.schemas.Topics;
import costline.schemas.serde.AvroSerde;
import costline.streams.finance.FinanceFixtures;
import costline.streams.finance.OnPremCatalog;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SpendAlertTopologyTest {

    static final String ONPREM_MODEL = "NVIDIA A100 80GB PCIe";
    static final long ENERGY_PER_KWH = CostModel.microUsd("0.10");
    final String registry = "mock://alert-" + UUID.randomUUID();
    TopologyTestDriver driver;
    TestInputTopic<String, CostRecord> costs;
    TestInputTopic<String, PriceEntry> prices;
    TestOutputTopic<String, SpendAlert> alerts;

    void start(AlertConfig config) {
        driver = new TopologyTestDriver(SpendAlertTopology.build(config), FinanceFixtures.driverProps("alert-test"));
        costs = driver.createInputTopic(Topics.GPU_COST, Serdes.String().serializer(),
                AvroSerde.forValues(registry, CostRecord.class).serializer());
        prices = driver.createInputTopic(Topics.GPU_PRICES, Serdes.String().serializer(),
                AvroSerde.forValues(registry, PriceEntry.class).serializer());
        alerts = driver.createOutputTopic(Topics.GPU_ALERTS, Serdes.String().deserializer(),
                AvroSerde.forValues(registry, SpendAlert.class).deserializer());
    }

    void startWithPrice() {
        start(AlertConfig.defaults(registry));
        // the on-prem server is a different A100 variant: found through the GPU family
        PriceEntry p = FinanceFixtures.onPremA100(ONPREM_MODEL, ENERGY_PER_KWH);
        prices.pipeInput(costline.streams.prices.PriceKeys.topicKey(p), p);
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    /** One hour of {@code gpus} cloud A100s at $4 per GPU-hour. */
    void hour(String workload, Instant start, int gpus) {
        hours(workload, start, 1, gpus);
    }

    /** {@code n} hours of {@code gpus} cloud A100s at $4 per GPU-hour in one record (fewer records, same sums). */
    void hours(String workload, Instant start, int n, int gpus) {
        long gpuMs = gpus * 3_600_000L * n;
        CostRecord r = CostRecord.newBuilder().setWorkload(workload).setTeam("ml").setSite(Site.CLOUD).setGpuModel(A100)
                .setWindowStart(start).setWindowEnd(start.plusSeconds(3600L * n)).setGpuMs(gpuMs).setBusyGpuMs(gpuMs)
                .setCostMicroUsd(gpus * 4_000_000L * n).setIdleMicroUsd(0).setEnergyMj(0).setSamples(60).build();
        costs.pipeInput(workload, r, start.plusSeconds(3600L * n));
    }

    static long octoberFixedPerGpu() {
        return CostModel.onPremFixedCostMicroUsd(FinanceFixtures.onPremA100(ONPREM_MODEL, ENERGY_PER_KWH).getOnprem(),
                31L * 24 * CostModel.MS_PER_HOUR);
    }

    static long energy(long busyGpuHours) {
        return CostModel.energyCostMicroUsd(FinanceFixtures.onPremA100(ONPREM_MODEL, ENERGY_PER_KWH).getOnprem(),
                CostModel.energyMjFromPower(400, busyGpuHours * CostModel.MS_PER_HOUR));
    }

    @Test
    void theLineIsPricedAtEventTimeNeverWithAVersionNotYetInForce() {
        // Defect 3. Besides the 2026-01-01 version ($20,000 capex): one from 2026-10-16 ($40,000) and one from 2027-01-01
        // ($1,000,000). The old store kept only the newest version, so October's line was 8 x the 2027 fixed cost.
        startWithPrice();
        PriceEntry midMonth = FinanceFixtures.onPremA100(ONPREM_MODEL, ENERGY_PER_KWH);
        midMonth.setEffectiveFrom(Instant.parse("2026-10-16T00:00:00Z"));
        midMonth.getOnprem().setCapexPerGpuMicroUsd(CostModel.microUsd("40000"));
        PriceEntry nextYear = FinanceFixtures.onPremA100(ONPREM_MODEL, ENERGY_PER_KWH);
        nextYear.setEffectiveFrom(Instant.parse("2027-01-01T00:00:00Z"));
        nextYear.getOnprem().setCapexPerGpuMicroUsd(CostModel.microUsd("1000000"));
        prices.pipeInput(costline.streams.prices.PriceKeys.topicKey(midMonth), midMonth);
        prices.pipeInput(costline.streams.prices.PriceKeys.topicKey(nextYear), nextYear);
        Instant oct1 = Instant.parse("2026-10-01T00:00:00Z");
        for (int h = 0; h < 24; h++) {
            hour("train", oct1.plusSeconds(3600L * h), 8);
        }
        SpendAlert warning = alerts.readValuesToList().stream().filter(a -> a.getWorkload().equals("train")).findFirst().orElseThrow();
        // fixed per GPU: 15 days at the first version + 16 days at the mid-month one; the 2027 version plays no part.
        // Energy of the 192 busy GPU-hours at the version in force on Oct 2 (the same kWh price in all three).
        long fixed = CostModel.onPremFixedCostMicroUsd(FinanceFixtures.onPremA100(ONPREM_MODEL, ENERGY_PER_KWH).getOnprem(),
                15L * 24 * CostModel.MS_PER_HOUR)
                + CostModel.onPremFixedCostMicroUsd(midMonth.getOnprem(), 16L * 24 * CostModel.MS_PER_HOUR);
        assertThat(warning.getOnpremLineMicroUsd()).isEqualTo(8 * fixed + energy(24 * 8));
    }

    @Test
    void aroundTheClockWarnsWithTheProjectedDayFiresOnceAndResolvesWhenTheMonthEnds() {
        startWithPrice();
        Instant oct1 = Instant.parse("2026-10-01T00:00:00Z");
        for (int h = 0; h < 23; h++) {
            hour("train", oct1.plusSeconds(3600L * h), 8);
        }
        assertThat(alerts.isEmpty()).as("no projection from under a day").isTrue();
        for (int h = 23; h < 24 * 12; h++) {
            hour("train", oct1.plusSeconds(3600L * h), 8);
        }
        List<SpendAlert> got = alerts.readValuesToList();
        List<SpendAlert> train = got.stream().filter(a -> a.getWorkload().equals("train")).toList();
        assertThat(train).extracting(SpendAlert::getState).containsExactly(AlertState.WARNING, AlertState.FIRING);

        // the line: 8 x fixed for 31 days + energy of the busy hours; $32 an hour meets it after ~196.6 hours (day 9)
        long fixed = 8 * octoberFixedPerGpu();
        SpendAlert warning = train.get(0);
        assertThat(warning.getAt()).isEqualTo(oct1.plusSeconds(24 * 3600));
        assertThat(warning.getCloudMtdMicroUsd()).isEqualTo(24 * 32_000_000L);
        assertThat(warning.getOnpremLineMicroUsd()).isEqualTo(fixed + energy(24 * 8));
        assertThat(warning.getProjectedCrossDay()).isEqualTo(9);
        assertThat(warning.getProjectedMonthMicroUsd()).isEqualTo(744 * 32_000_000L);

        SpendAlert firing = train.get(1);
        long crossHour = 0;
        while (crossHour * 32_000_000L < fixed + energy(crossHour * 8)) {
            crossHour++;
        }
        assertThat(firing.getAt()).isEqualTo(oct1.plusSeconds(crossHour * 3600));
        assertThat(firing.getCloudMtdMicroUsd()).isEqualTo(crossHour * 32_000_000L).isGreaterThanOrEqualTo(firing.getOnpremLineMicroUsd());
        assertThat(firing.getProjectedCrossDay()).isNull();

        // the fleet is this one workload here: the same transitions under its own key
        assertThat(got.stream().filter(a -> a.getWorkload().equals(Topics.FLEET)))
                .extracting(SpendAlert::getState).containsExactly(AlertState.WARNING, AlertState.FIRING);

        // November's first hour ends October: RESOLVED at midnight, for both scopes
        hour("train", Instant.parse("2026-11-01T00:00:00Z"), 8);
        assertThat(alerts.readValuesToList()).extracting(SpendAlert::getWorkload, SpendAlert::getMonth, SpendAlert::getState, SpendAlert::getAt)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("train", "2026-10", AlertState.RESOLVED, Instant.parse("2026-11-01T00:00:00Z")),
                        org.assertj.core.groups.Tuple.tuple(Topics.FLEET, "2026-10", AlertState.RESOLVED, Instant.parse("2026-11-01T00:00:00Z")));
    }

    @Test
    void aWorkloadThatFallsQuietIsResolvedWhenStreamTimePassesTheMonthEnd() {
        startWithPrice();
        Instant oct1 = Instant.parse("2026-10-01T00:00:00Z");
        for (int h = 0; h < 24 * 12; h += 6) {
            hours("train", oct1.plusSeconds(3600L * h), 6, 8);
        }
        assertThat(alerts.readValuesToList().stream().filter(a -> a.getWorkload().equals("train")))
                .extracting(SpendAlert::getState).endsWith(AlertState.FIRING);
        // "train" sends nothing more; another workload's November data moves stream time past October
        hour("other", Instant.parse("2026-11-01T00:10:00Z"), 1);
        assertThat(alerts.readValuesToList().stream().filter(a -> a.getWorkload().equals("train")))
                .extracting(SpendAlert::getMonth, SpendAlert::getState, SpendAlert::getAt)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("2026-10", AlertState.RESOLVED, Instant.parse("2026-11-01T00:00:00Z")));
    }

    @Test
    void aWarningIsWithdrawnWhenTheRunRateDrops() {
        startWithPrice();
        Instant oct1 = Instant.parse("2026-10-01T00:00:00Z");
        hours("train", oct1, 24, 8);
        assertThat(alerts.readValuesToList().stream().filter(a -> a.getWorkload().equals("train")))
                .extracting(SpendAlert::getState).containsExactly(AlertState.WARNING);
        // one GPU from then on: at the trailing day's rate October no longer reaches the line
        for (int h = 24; h < 24 * 3; h += 6) {
            hours("train", oct1.plusSeconds(3600L * h), 6, 1);
        }
        List<SpendAlert> after = alerts.readValuesToList().stream().filter(a -> a.getWorkload().equals("train")).toList();
        assertThat(after).extracting(SpendAlert::getState).containsExactly(AlertState.RESOLVED);
        assertThat(after.get(0).getProjectedMonthMicroUsd()).isLessThan(after.get(0).getOnpremLineMicroUsd());
    }

    @Test
    void fourHoursADayNeverWarns() {
        startWithPrice();
        Instant oct1 = Instant.parse("2026-10-01T00:00:00Z");
        for (int d = 0; d < 31; d++) {
            hours("batch", oct1.plusSeconds(86_400L * d), 4, 8);
        }
        assertThat(alerts.isEmpty()).isTrue();
    }

    @Test
    void aNewPeakRaisesTheLineAndFiringResolves() {
        startWithPrice();
        Instant oct1 = Instant.parse("2026-10-01T00:00:00Z");
        int h = 0;
        for (; h < 24 * 10; h += 6) {
            hours("train", oct1.plusSeconds(3600L * h), 6, 8);
        }
        assertThat(alerts.readValuesToList().stream().filter(a -> a.getWorkload().equals("train")))
                .extracting(SpendAlert::getState).endsWith(AlertState.FIRING);
        // one hour at 24 GPUs: the line triples its fixed part, cloud spend is now below it
        hour("train", oct1.plusSeconds(3600L * h), 24);
        List<SpendAlert> after = alerts.readValuesToList().stream().filter(a -> a.getWorkload().equals("train")).toList();
        assertThat(after).extracting(SpendAlert::getState).containsExactly(AlertState.RESOLVED);
        assertThat(after.get(0).getCloudMtdMicroUsd()).isLessThan(after.get(0).getOnpremLineMicroUsd());
        assertThat(after.get(0).getOnpremLineMicroUsd()).isGreaterThanOrEqualTo(24 * octoberFixedPerGpu());
    }

    @Test
    void theFleetPeakIsThePeakOfTheSummedMinutes() {
        start(AlertConfig.defaults(registry).withMinElapsed(Duration.ZERO));
        PriceEntry p = FinanceFixtures.onPremA100(ONPREM_MODEL, ENERGY_PER_KWH);
        prices.pipeInput(costline.streams.prices.PriceKeys.topicKey(p), p);
        Instant t = Instant.parse("2026-10-01T00:00:00Z");
        // two workloads of 4 GPUs in the same minute (free, so nothing crosses yet)
        costs.pipeInput("a", FinanceFixtures.cloudMinute("a", A100, t, 4, "0"), t.plusSeconds(60));
        costs.pipeInput("b", FinanceFixtures.cloudMinute("b", A100, t, 4, "0"), t.plusSeconds(60));
        assertThat(alerts.isEmpty()).isTrue();
        // then a large bill for "a" alone: both "a" and the fleet cross, against lines of 4 and 8 GPUs
        CostRecord bill = FinanceFixtures.cost("a", "ml", Site.CLOUD, A100, t.plusSeconds(60), 0, 0,
                CostModel.microUsd("100000"), 0, 0);
        costs.pipeInput("a", bill, t.plusSeconds(120));
        Map<String, SpendAlert> got = new java.util.HashMap<>();
        alerts.readValuesToList().forEach(a -> got.put(a.getWorkload(), a));
        long fixed = octoberFixedPerGpu();
        long minuteEnergy = CostModel.energyCostMicroUsd(FinanceFixtures.onPremA100(ONPREM_MODEL, ENERGY_PER_KWH).getOnprem(),
                CostModel.energyMjFromPower(400, 4 * 60_000L));
        assertThat(got.keySet()).containsExactlyInAnyOrder("a", Topics.FLEET);
        assertThat(got.get("a").getState()).isEqualTo(AlertState.FIRING);
        assertThat(got.get("a").getOnpremLineMicroUsd()).isEqualTo(4 * fixed + minuteEnergy);
        assertThat(got.get(Topics.FLEET).getOnpremLineMicroUsd())
                .isEqualTo(8 * fixed + CostModel.energyCostMicroUsd(FinanceFixtures.onPremA100(ONPREM_MODEL, ENERGY_PER_KWH).getOnprem(),
                        CostModel.energyMjFromPower(400, 8 * 60_000L)));
    }

    @Test
    void withoutAnOnPremPriceNothingIsCompared() {
        start(AlertConfig.defaults(registry));
        Instant oct1 = Instant.parse("2026-10-01T00:00:00Z");
        for (int h = 0; h < 24 * 12; h += 6) {
            hours("train", oct1.plusSeconds(3600L * h), 6, 8);
        }
        assertThat(alerts.isEmpty()).isTrue();
    }

    @Test
    void anExplicitMappingPicksTheOnPremModel() {
        OnPremCatalog catalog = new OnPremCatalog(Map.of(A100, "DGX A100"), Map.of(), 400);
        start(AlertConfig.defaults(registry).withCatalog(catalog));
        PriceEntry family = FinanceFixtures.onPremA100(ONPREM_MODEL, ENERGY_PER_KWH);
        prices.pipeInput(costline.streams.prices.PriceKeys.topicKey(family), family);
        Instant oct1 = Instant.parse("2026-10-01T00:00:00Z");
        for (int h = 0; h < 30; h += 6) {
            hours("train", oct1.plusSeconds(3600L * h), 6, 8);
        }
        assertThat(alerts.isEmpty()).as("mapped to a model with no price yet").isTrue();
        PriceEntry mapped = FinanceFixtures.onPremA100("DGX A100", ENERGY_PER_KWH);
        prices.pipeInput(costline.streams.prices.PriceKeys.topicKey(mapped), mapped);
        hour("train", oct1.plusSeconds(3600L * 30), 8);
        assertThat(alerts.readValuesToList()).extracting(SpendAlert::getState).contains(AlertState.WARNING);
    }

    @Test
    void aScopesMonthIsForgottenWhenTheMonthEndsWithATombstone() {
        // ScopeMonth is the month-to-date of a live month: its retention is the month itself (dropping it earlier would
        // change the month-to-date figures). A workload that ran in October and not since is gone once November begins.
        startWithPrice();
        hours("october-only", java.time.Instant.parse("2026-10-10T00:00:00Z"), 2, 1);
        hours("steady", java.time.Instant.parse("2026-10-31T22:00:00Z"), 1, 1);
        org.apache.kafka.streams.state.KeyValueStore<String, ScopeMonth> store = driver.getKeyValueStore(SpendAlertTopology.STORE);
        assertThat(store.get("october-only")).isNotNull();
        hours("steady", java.time.Instant.parse("2026-11-01T00:00:00Z"), 1, 1);
        assertThat(store.get("october-only")).isNull();
        assertThat(store.get("steady")).isNotNull();
        assertThat(store.get("steady").month).isEqualTo("2026-11");
        // the changelog's last word per key: a tombstone for the gone scope, November's figures for the steady one
        java.util.Map<String, byte[]> last = new java.util.HashMap<>();
        driver.createOutputTopic("alert-test-" + SpendAlertTopology.STORE + "-changelog", Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer()).readRecordsToList().forEach(r -> last.put(r.key(), r.value()));
        assertThat(last).containsKey("october-only");
        assertThat(last.get("october-only")).isNull();
        assertThat(last.get("steady")).isNotNull();
    }
}
