package costline.streams.rollup;

import static costline.streams.finance.FinanceFixtures.A100;
import static costline.streams.finance.FinanceFixtures.cost;
import static org.assertj.core.api.Assertions.assertThat;

import costline.events.CostRecord;
import costline.events.MonthlyRollup;
import costline.events.RollupStatus;
import costline.events.Site;
import costline.schemas.Topics;
import costline.schemas.serde.AvroSerde;
import costline.streams.finance.FinanceFixtures;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MonthlyRollupTopologyTest {

    final String registry = "mock://rollup-" + UUID.randomUUID();
    TopologyTestDriver driver;
    TestInputTopic<String, CostRecord> in;
    TestOutputTopic<String, MonthlyRollup> out;
    TestOutputTopic<String, CostRecord> dlq;

    void start(RollupConfig config) {
        // the wall clock starts before every month the tests use, and moves only where a test moves it
        driver = new TopologyTestDriver(MonthlyRollupTopology.build(config), FinanceFixtures.driverProps("rollup-test"),
                Instant.parse("2026-01-01T00:00:00Z"));
        AvroSerde<CostRecord> costSerde = AvroSerde.forValues(registry, CostRecord.class);
        AvroSerde<MonthlyRollup> rollupSerde = AvroSerde.forValues(registry, MonthlyRollup.class);
        in = driver.createInputTopic(Topics.GPU_COST, Serdes.String().serializer(), costSerde.serializer());
        out = driver.createOutputTopic(Topics.GPU_ROLLUP_MONTHLY, Serdes.String().deserializer(), rollupSerde.deserializer());
        dlq = driver.createOutputTopic(Topics.GPU_FINANCE_DLQ, Serdes.String().deserializer(), costSerde.deserializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    void send(CostRecord r, String at) {
        in.pipeInput(r.getWorkload(), r, Instant.parse(at));
    }

    /** One emit interval of wall-clock time (the default, 500 ms): the month-to-date totals changed meanwhile go out. */
    void emit() {
        driver.advanceWallClockTime(Duration.ofMillis(500));
    }

    static CostRecord minute(String workload, String start, long costMicroUsd) {
        return cost(workload, "ml", Site.CLOUD, A100, Instant.parse(start), 60_000, 45_000, costMicroUsd, costMicroUsd / 4, 0);
    }

    @Test
    void februaryEndsOnThe28thAndTheLastMillisecondStaysInIt() {
        start(RollupConfig.defaults(registry));
        send(minute("train", "2026-02-01T00:00:00Z", 1_000_000), "2026-02-01T00:00:59.999Z");
        // the month's last minute, stamped at its last millisecond
        send(minute("train", "2026-02-28T23:59:00Z", 2_000_000), "2026-02-28T23:59:59.999Z");
        // a record whose window starts at that very millisecond is February too
        send(minute("train", "2026-02-28T23:59:59.999Z", 4_000_000), "2026-02-28T23:59:59.999Z");
        send(minute("train", "2026-03-01T00:00:00Z", 8_000_000), "2026-03-01T00:00:00Z");
        emit();

        List<KeyValue<String, MonthlyRollup>> got = out.readKeyValuesToList();
        assertThat(got).extracting(kv -> kv.key).containsExactly("2026-02|train|CLOUD|" + A100, "2026-03|train|CLOUD|" + A100);
        MonthlyRollup feb = got.get(0).value;
        assertThat(feb.getCostMicroUsd()).isEqualTo(7_000_000);
        assertThat(feb.getGpuMs()).isEqualTo(180_000);
        assertThat(feb.getStatus()).isEqualTo(RollupStatus.MONTH_TO_DATE);
        assertThat(got.get(1).value.getCostMicroUsd()).isEqualTo(8_000_000);
        assertThat(got.get(1).value.getMonth()).isEqualTo("2026-03");
    }

    @Test
    void leapYearFebruaryHasA29th() {
        start(RollupConfig.defaults(registry));
        send(minute("train", "2028-02-29T23:59:00Z", 5), "2028-02-29T23:59:59.999Z");
        emit();
        assertThat(out.readValue().getMonth()).isEqualTo("2028-02");
    }

    @Test
    void aThirtyOneDayMonthClosesOnceAfterGraceThenLateDataIsNumberedCorrections() {
        start(RollupConfig.defaults(registry).withGrace(Duration.ofHours(6)));
        send(minute("train", "2026-10-01T00:00:00Z", 1_000_000), "2026-10-01T00:01:00Z");
        send(minute("train", "2026-10-31T23:59:00Z", 2_000_000), "2026-10-31T23:59:59.999Z");
        // November data, and October data arriving within the grace period: still month-to-date
        send(minute("infer", "2026-11-01T03:00:00Z", 10), "2026-11-01T03:00:00Z");
        send(minute("train", "2026-10-31T23:58:00Z", 3_000_000), "2026-11-01T04:00:00Z");
        emit();
        // one record per key changed since the last emit, with every increment in it
        assertThat(out.readValuesToList()).extracting(MonthlyRollup::getMonth, MonthlyRollup::getStatus, MonthlyRollup::getCostMicroUsd)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("2026-10", RollupStatus.MONTH_TO_DATE, 6_000_000L),
                        org.assertj.core.groups.Tuple.tuple("2026-11", RollupStatus.MONTH_TO_DATE, 10L));

        // stream time reaches Nov 1 06:00 exactly: the grace period is not over yet
        send(minute("infer", "2026-11-01T06:00:00Z", 10), "2026-11-01T06:00:00Z");
        emit();
        assertThat(out.readValuesToList()).extracting(MonthlyRollup::getStatus).containsExactly(RollupStatus.MONTH_TO_DATE);

        // past it: exactly one FINAL for October, and none for November
        send(minute("infer", "2026-11-01T06:01:00Z", 10), "2026-11-01T06:01:00Z");
        send(minute("infer", "2026-11-02T06:01:00Z", 10), "2026-11-02T06:01:00Z");
        emit();
        List<MonthlyRollup> after = out.readValuesToList();
        assertThat(after).filteredOn(r -> r.getStatus() == RollupStatus.FINAL).singleElement().satisfies(f -> {
            assertThat(f.getMonth()).isEqualTo("2026-10");
            assertThat(f.getWorkload()).isEqualTo("train");
            assertThat(f.getCostMicroUsd()).isEqualTo(6_000_000);
            assertThat(f.getRevision()).isZero();
        });

        // late October data: numbered corrections carrying the new totals
        send(minute("train", "2026-10-15T12:00:00Z", 500_000), "2026-11-03T00:00:00Z");
        send(minute("train", "2026-10-16T12:00:00Z", 250_000), "2026-11-03T00:01:00Z");
        send(minute("infer", "2026-12-03T00:00:00Z", 1), "2026-12-03T00:00:00Z");
        List<MonthlyRollup> corrections = out.readValuesToList().stream()
                .filter(r -> r.getMonth().equals("2026-10")).toList();
        assertThat(corrections).extracting(MonthlyRollup::getStatus, MonthlyRollup::getRevision, MonthlyRollup::getCostMicroUsd)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(RollupStatus.CORRECTION, 1, 6_500_000L),
                        org.assertj.core.groups.Tuple.tuple(RollupStatus.CORRECTION, 2, 6_750_000L));
    }

    @Test
    void aLateRecordThatArrivesBeforeThePunctuationStillFollowsTheFinal() {
        // a punctuation step longer than the gap: the late record itself is the first to see the closed month
        RollupConfig config = new RollupConfig(registry, ZoneId.of("UTC"), Duration.ZERO, Duration.ofDays(400),
                Duration.ofDays(30), Topics.GPU_COST, Topics.GPU_ROLLUP_MONTHLY, Topics.GPU_FINANCE_DLQ, false, Duration.ofMillis(500));
        start(config);
        send(minute("train", "2026-01-31T10:00:00Z", 100), "2026-01-31T10:00:00Z");
        emit();
        send(minute("train", "2026-02-01T10:00:00Z", 1), "2026-02-01T10:00:00Z");
        send(minute("train", "2026-01-31T11:00:00Z", 100), "2026-02-01T10:00:01Z");
        List<MonthlyRollup> jan = out.readValuesToList().stream().filter(r -> r.getMonth().equals("2026-01")).toList();
        assertThat(jan).extracting(MonthlyRollup::getStatus, MonthlyRollup::getCostMicroUsd).containsExactly(
                org.assertj.core.groups.Tuple.tuple(RollupStatus.MONTH_TO_DATE, 100L),
                org.assertj.core.groups.Tuple.tuple(RollupStatus.FINAL, 100L),
                org.assertj.core.groups.Tuple.tuple(RollupStatus.CORRECTION, 200L));
    }

    @Test
    void aQuietPartitionStillClosesTheMonthByTheWallClock() {
        start(RollupConfig.defaults(registry));
        send(minute("train", "2026-10-31T23:59:00Z", 42), "2026-10-31T23:59:59.999Z");
        emit();
        assertThat(out.readValuesToList()).extracting(MonthlyRollup::getStatus).containsExactly(RollupStatus.MONTH_TO_DATE);
        driver.advanceWallClockTime(Duration.between(Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-11-01T05:59:00Z")));
        assertThat(out.isEmpty()).as("still within the grace period").isTrue();
        driver.advanceWallClockTime(Duration.ofMinutes(2));
        assertThat(out.readValuesToList()).extracting(MonthlyRollup::getStatus, MonthlyRollup::getCostMicroUsd)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(RollupStatus.FINAL, 42L));
        driver.advanceWallClockTime(Duration.ofDays(3));
        assertThat(out.isEmpty()).as("one FINAL only").isTrue();
    }

    @Test
    void monthEdgesFollowTheConfiguredZone() {
        start(RollupConfig.defaults(registry).withZone(ZoneId.of("Europe/Berlin")));
        // 23:30 UTC on Oct 31 is 00:30 on Nov 1 in Berlin (CET, UTC+1, after the October clock change)
        send(minute("train", "2026-10-31T23:30:00Z", 7), "2026-10-31T23:30:00Z");
        // 22:59 UTC on Sep 30 is 00:59 on Oct 1 in Berlin (CEST, UTC+2)
        send(minute("train", "2026-09-30T22:59:00Z", 7), "2026-09-30T22:59:00Z");
        emit();
        assertThat(out.readValuesToList()).extracting(MonthlyRollup::getMonth, MonthlyRollup::getZone)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("2026-11", "Europe/Berlin"),
                        org.assertj.core.groups.Tuple.tuple("2026-10", "Europe/Berlin"));
    }

    @Test
    void sitesModelsAndWorkloadsAreSeparateKeysAndTotalsAreExact() {
        start(RollupConfig.defaults(registry));
        long expected = 0;
        for (int i = 0; i < 200; i++) {
            long c = 333_333 + i;
            expected += c;
            send(cost("train", "ml", Site.ONPREM, "NVIDIA H100 80GB HBM3", Instant.parse("2026-10-01T00:00:00Z").plusSeconds(60L * i),
                    60_000, 30_000, c, c / 2, 420_000), "2026-10-01T00:00:00Z");
        }
        send(minute("train", "2026-10-05T00:00:00Z", 1), "2026-10-05T00:00:00Z");
        emit();
        List<KeyValue<String, MonthlyRollup>> all = out.readKeyValuesToList();
        assertThat(all).hasSize(2);
        MonthlyRollup onprem = all.get(0).value;
        assertThat(all.get(0).key).isEqualTo("2026-10|train|ONPREM|NVIDIA H100 80GB HBM3");
        assertThat(onprem.getCostMicroUsd()).isEqualTo(expected);
        assertThat(onprem.getGpuMs()).isEqualTo(12_000_000L);
        assertThat(onprem.getEnergyMj()).isEqualTo(84_000_000L);
        assertThat(all.get(1).key).isEqualTo("2026-10|train|CLOUD|" + A100);
        assertThat(all.get(1).value.getCostMicroUsd()).isEqualTo(1);
    }

    @Test
    void aNegativeCorrectionIsSummedIntoTheMonth() {
        // Defect 1. A re-read CloudWatch minute lowers an earlier figure: +9,000 then -4,000 (and -15 s of GPU time).
        // The old check dead-lettered every negative figure as BAD_COST, so the month kept 9,000; it is 5,000.
        start(RollupConfig.defaults(registry));
        send(minute("train", "2026-10-01T00:01:00Z", 9_000), "2026-10-01T00:01:00Z");
        emit();
        send(cost("train", "ml", Site.CLOUD, A100, Instant.parse("2026-10-01T00:01:00Z"), -15_000, -15_000, -4_000, -1_000, 0),
                "2026-10-01T00:02:00Z");
        emit();
        assertThat(out.readValuesToList()).extracting(MonthlyRollup::getCostMicroUsd, MonthlyRollup::getGpuMs)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(9_000L, 60_000L), org.assertj.core.groups.Tuple.tuple(5_000L, 45_000L));
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void badRecordsAreDeadLetteredWithTheirReasonAndNotCounted() {
        start(RollupConfig.defaults(registry));
        // a negative increment arriving before what it corrects (another partition's records came later): counted,
        // the total is below zero for a while (metric negative-total), and exact once the rest arrives
        CostRecord negative = cost("train", "ml", Site.CLOUD, A100, Instant.parse("2026-10-01T00:00:00Z"),
                60_000, 0, -5, 0, 0);
        send(negative, "2026-10-01T00:00:00Z");
        emit();
        send(minute("train", "2026-10-01T00:01:00Z", 9), "2026-10-01T00:01:00Z");
        emit();
        // malformed: no GPU model
        CostRecord noModel = cost("train", "ml", Site.CLOUD, "", Instant.parse("2026-10-01T00:02:00Z"), 60_000, 0, 5, 0, 0);
        send(noModel, "2026-10-01T00:02:00Z");

        TestRecord<String, CostRecord> malformed = dlq.readRecord();
        assertThat(malformed.value()).isEqualTo(noModel);
        assertThat(new String(malformed.headers().lastHeader(Topics.DLQ_REASON_HEADER).value(), StandardCharsets.UTF_8))
                .isEqualTo("NO_GPU_MODEL");
        assertThat(dlq.isEmpty()).isTrue();
        assertThat(out.readValuesToList()).extracting(MonthlyRollup::getCostMicroUsd).containsExactly(-5L, 4L);
        assertThat(driver.metrics().entrySet()).anySatisfy(e -> {
            assertThat(e.getKey().name()).isEqualTo("negative-total-total");
            assertThat((Double) e.getValue().metricValue()).isEqualTo(1.0);
        });
        assertThat(driver.metrics().entrySet()).anySatisfy(e -> {
            assertThat(e.getKey().name()).isEqualTo("dead-lettered-total");
            assertThat((Double) e.getValue().metricValue()).isEqualTo(1.0);
        });
    }

    @Test
    void dataForAMonthPastRetentionIsDeadLetteredNotRestartedFromZero() {
        RollupConfig config = new RollupConfig(registry, ZoneId.of("UTC"), Duration.ofHours(6), Duration.ofDays(10),
                Duration.ofMinutes(1), Topics.GPU_COST, Topics.GPU_ROLLUP_MONTHLY, Topics.GPU_FINANCE_DLQ, false, Duration.ofMillis(500));
        start(config);
        send(minute("train", "2026-09-10T00:00:00Z", 100), "2026-09-10T00:00:00Z");
        emit();
        send(minute("train", "2026-10-20T00:00:00Z", 1), "2026-10-20T00:00:00Z");
        emit();
        CostRecord tooLate = minute("train", "2026-09-11T00:00:00Z", 100);
        send(tooLate, "2026-10-20T00:01:00Z");
        assertThat(out.readValuesToList()).extracting(MonthlyRollup::getMonth, MonthlyRollup::getStatus).containsExactly(
                org.assertj.core.groups.Tuple.tuple("2026-09", RollupStatus.MONTH_TO_DATE),
                org.assertj.core.groups.Tuple.tuple("2026-09", RollupStatus.FINAL),
                org.assertj.core.groups.Tuple.tuple("2026-10", RollupStatus.MONTH_TO_DATE));
        TestRecord<String, CostRecord> dead = dlq.readRecord();
        assertThat(dead.value()).isEqualTo(tooLate);
        assertThat(new String(dead.headers().lastHeader(Topics.DLQ_REASON_HEADER).value(), StandardCharsets.UTF_8))
                .isEqualTo("MONTH_PAST_RETENTION");
    }

    @Test
    void badSettingsNameTheKeyAndTheFix() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RollupConfig.from(costline.streams.config.Settings.of(java.util.Map.of(
                        "schema.registry.url", "mock://x", "rollup.grace", "6 hours"))))
                .hasMessageContaining("rollup.grace").hasMessageContaining("'6 hours' is not a duration").hasMessageContaining("6h");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RollupConfig.from(costline.streams.config.Settings.of(java.util.Map.of(
                        "schema.registry.url", "mock://x", "rollup.zone", "Mars/Olympus"))))
                .hasMessageContaining("rollup.zone");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RollupConfig.from(costline.streams.config.Settings.of(java.util.Map.of())))
                .hasMessageContaining("schema.registry.url");
        assertThat(RollupConfig.from(costline.streams.config.Settings.of(java.util.Map.of("schema.registry.url", "mock://x", "rollup.grace", "PT1H"))).grace())
                .isEqualTo(Duration.ofHours(1));
    }

    @Test
    void aMonthIsDroppedOnlyRetentionAfterItsFinalWithATombstoneAndActiveMonthsStay() {
        // grace 6 h, retention 1 day: October closes (FINAL) once stream time passes 2026-11-01T06:00 and its totals
        // are dropped once it passes 2026-11-02T06:00
        start(RollupConfig.defaults(registry).withRetention(Duration.ofDays(1)));
        send(minute("train", "2026-10-31T23:00:00Z", 1_000_000), "2026-10-31T23:01:00Z");
        send(minute("infer", "2026-10-31T23:00:00Z", 2_000_000), "2026-10-31T23:01:00Z");
        send(minute("train", "2026-11-01T07:00:00Z", 4_000_000), "2026-11-01T07:01:00Z");
        // a late October increment after FINAL, within the retention: a CORRECTION on the kept totals
        send(minute("train", "2026-10-31T23:30:00Z", 500_000), "2026-11-02T05:00:00Z");
        org.apache.kafka.streams.state.KeyValueStore<String, RollupState> store = driver.getKeyValueStore(MonthlyRollupTopology.STORE);
        String october = "2026-10|train|CLOUD|" + A100;
        String november = "2026-11|train|CLOUD|" + A100;
        assertThat(store.get(october)).as("within FINAL + retention").isNotNull();
        assertThat(store.get(october).costMicroUsd()).isEqualTo(1_500_000);

        send(minute("train", "2026-11-02T06:00:00Z", 8_000_000), "2026-11-02T06:02:00Z");
        assertThat(store.get(october)).as("past FINAL + retention").isNull();
        assertThat(store.get("2026-10|infer|CLOUD|" + A100)).isNull();
        assertThat(store.get(november)).as("the live month").isNotNull();
        assertThat(store.get(november).costMicroUsd()).isEqualTo(12_000_000);
        List<String> tombstones = driver.createOutputTopic("rollup-test-" + MonthlyRollupTopology.STORE + "-changelog",
                        Serdes.String().deserializer(), Serdes.ByteArray().deserializer()).readRecordsToList().stream()
                .filter(r -> r.value() == null).map(TestRecord::key).toList();
        assertThat(tombstones).containsExactlyInAnyOrder(october, "2026-10|infer|CLOUD|" + A100);

        // the money was sent before it was dropped: the last rollup of each October key holds all of it
        java.util.Map<String, MonthlyRollup> last = new java.util.HashMap<>();
        out.readKeyValuesToList().forEach(kv -> last.put(kv.key, kv.value));
        assertThat(last.get(october).getCostMicroUsd()).isEqualTo(1_500_000);
        assertThat(last.get(october).getStatus()).isEqualTo(RollupStatus.CORRECTION);
        assertThat(last.get("2026-10|infer|CLOUD|" + A100).getCostMicroUsd()).isEqualTo(2_000_000);
        assertThat(last.get("2026-10|infer|CLOUD|" + A100).getStatus()).isEqualTo(RollupStatus.FINAL);
    }

    // ---- the scheduled emit: one record per changed key per emit interval, not one per cost increment ----

    @Test
    void severalIncrementsBetweenTwoEmitsAreOneRecordWithTheirSum() {
        start(RollupConfig.defaults(registry));
        String key = "2026-10|train|CLOUD|" + A100;
        send(minute("train", "2026-10-01T00:00:00Z", 1_000_000), "2026-10-01T00:01:00Z");
        send(minute("train", "2026-10-01T00:01:00Z", 2_000_000), "2026-10-01T00:02:00Z");
        send(minute("train", "2026-10-01T00:02:00Z", 4_000_000), "2026-10-01T00:03:00Z");
        assertThat(out.isEmpty()).as("nothing before the emit").isTrue();
        assertThat(driver.<String, RollupState>getKeyValueStore(MonthlyRollupTopology.STORE).get(key).unsent()).isTrue();

        emit();
        // 1,000,000 + 2,000,000 + 4,000,000 micro-USD; 3 x 60,000 GPU-ms, 3 x 45,000 busy; idle a quarter of each
        TestRecord<String, MonthlyRollup> one = out.readRecord();
        assertThat(one.key()).isEqualTo(key);
        assertThat(one.value().getStatus()).isEqualTo(RollupStatus.MONTH_TO_DATE);
        assertThat(one.value().getCostMicroUsd()).isEqualTo(7_000_000L);
        assertThat(one.value().getIdleMicroUsd()).isEqualTo(1_750_000L);
        assertThat(one.value().getGpuMs()).isEqualTo(180_000L);
        assertThat(one.value().getBusyGpuMs()).isEqualTo(135_000L);
        // the record's time is the newest window counted, not the wall clock of the emit
        assertThat(one.timestamp()).isEqualTo(Instant.parse("2026-10-01T00:02:00Z").toEpochMilli());
        assertThat(out.isEmpty()).isTrue();
        assertThat(driver.<String, RollupState>getKeyValueStore(MonthlyRollupTopology.STORE).get(key).unsent()).isFalse();

        emit();
        emit();
        assertThat(out.isEmpty()).as("unchanged keys are not sent again").isTrue();

        send(minute("train", "2026-10-01T00:03:00Z", 8_000_000), "2026-10-01T00:04:00Z");
        emit();
        assertThat(out.readValuesToList()).extracting(MonthlyRollup::getCostMicroUsd).containsExactly(15_000_000L);
    }

    @Test
    void aMonthThatClosesBetweenTwoEmitsSendsOneFinalWithEveryIncrementAndNoMonthToDateAfterIt() {
        start(RollupConfig.defaults(registry).withWallClockClose(false));
        send(minute("train", "2026-10-31T22:00:00Z", 1_000_000), "2026-10-31T22:01:00Z");
        emit();
        assertThat(out.readValuesToList()).extracting(MonthlyRollup::getCostMicroUsd).containsExactly(1_000_000L);
        // counted, not yet sent, when stream time passes Nov 1 06:00 (end + grace): the FINAL carries them
        send(minute("train", "2026-10-31T23:00:00Z", 2_000_000), "2026-10-31T23:01:00Z");
        send(minute("train", "2026-10-31T23:59:00Z", 4_000_000), "2026-11-01T05:00:00Z");
        send(minute("infer", "2026-11-01T06:30:00Z", 10), "2026-11-01T06:31:00Z");
        emit();
        emit();
        List<KeyValue<String, MonthlyRollup>> got = out.readKeyValuesToList();
        assertThat(got).extracting(kv -> kv.value.getMonth(), kv -> kv.value.getStatus(), kv -> kv.value.getCostMicroUsd())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("2026-10", RollupStatus.FINAL, 7_000_000L),
                        org.assertj.core.groups.Tuple.tuple("2026-11", RollupStatus.MONTH_TO_DATE, 10L));
        // and a late October record after it: a CORRECTION at once, not held for the next emit
        send(minute("train", "2026-10-15T00:00:00Z", 500_000), "2026-11-01T07:00:00Z");
        assertThat(out.readValuesToList()).extracting(MonthlyRollup::getStatus, MonthlyRollup::getRevision, MonthlyRollup::getCostMicroUsd)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(RollupStatus.CORRECTION, 1, 7_500_000L));
        emit();
        assertThat(out.isEmpty()).as("a closed month has no month-to-date").isTrue();
    }

    @Test
    void anEmitThatFindsTheMonthClosedByStreamTimeSendsTheFinalNotAMonthToDate() {
        // a stream-time punctuation far apart (every 10 years): only the emit sees that January closed
        RollupConfig config = new RollupConfig(registry, ZoneId.of("UTC"), Duration.ZERO, Duration.ofDays(400),
                Duration.ofDays(3650), Topics.GPU_COST, Topics.GPU_ROLLUP_MONTHLY, Topics.GPU_FINANCE_DLQ, false, Duration.ofMillis(500));
        start(config);
        send(minute("train", "2026-01-31T10:00:00Z", 100), "2026-01-31T10:00:00Z");
        send(minute("infer", "2026-02-01T10:00:00Z", 1), "2026-02-01T10:00:00Z");
        emit();
        assertThat(out.readValuesToList()).extracting(MonthlyRollup::getMonth, MonthlyRollup::getStatus, MonthlyRollup::getCostMicroUsd)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("2026-01", RollupStatus.FINAL, 100L),
                        org.assertj.core.groups.Tuple.tuple("2026-02", RollupStatus.MONTH_TO_DATE, 1L));
        send(minute("train", "2026-01-31T11:00:00Z", 50), "2026-02-01T10:00:01Z");
        emit();
        assertThat(out.readValuesToList()).extracting(MonthlyRollup::getStatus, MonthlyRollup::getCostMicroUsd)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(RollupStatus.CORRECTION, 150L));
    }

    @Test
    void theEmitIntervalIsASettingWithBounds() {
        assertThat(RollupConfig.from(costline.streams.config.Settings.of(java.util.Map.of("schema.registry.url", "mock://x")))
                .emitInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(RollupConfig.from(costline.streams.config.Settings.of(java.util.Map.of("schema.registry.url", "mock://x",
                "rollup.emit-interval", "2s"))).emitInterval()).isEqualTo(Duration.ofSeconds(2));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RollupConfig.from(costline.streams.config.Settings.of(java.util.Map.of(
                        "schema.registry.url", "mock://x", "rollup.emit-interval", "500"))))
                .hasMessageContaining("rollup.emit-interval");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RollupConfig.from(costline.streams.config.Settings.of(java.util.Map.of(
                        "schema.registry.url", "mock://x", "rollup.emit-interval", "0s"))))
                .hasMessageContaining("rollup.emit-interval");
    }
}
