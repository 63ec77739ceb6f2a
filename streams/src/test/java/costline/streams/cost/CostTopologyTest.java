package costline.streams.cost;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.CloudPrice;
import costline.events.CostRecord;
import costline.events.GpuSample;
import costline.events.PriceEntry;
import costline.events.Site;
import costline.pricing.CostModel;
import costline.schemas.Topics;
import costline.streams.Samples;
import costline.streams.prices.PriceKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cost topology against hand-computed micro-dollar amounts, on the catalog of {@link CostDriver} (its comment works
 * out the prices per GPU-minute and per 10 s of an on-prem H100 that the comments here use).
 */
class CostTopologyTest {

    static final String REGISTRY = "mock://cost-topology-test";
    static final Instant DAY = CostDriver.DAY;

    private CostDriver app;

    @BeforeEach
    void start() {
        app = new CostDriver(CostDriver.settings(REGISTRY), "cost-test-" + UUID.randomUUID(), DAY.plusSeconds(300));
    }

    @AfterEach
    void stop() {
        app.close();
    }

    @Test
    void cloudGpuIsTheInstancePricePerGpuTimesTheInterval() {
        send(Samples.cloud("i-1/0", DAY.plusSeconds(60), 60_000, 75f).setWorkloads(Samples.shares("llm", 1.0)).build());
        List<CostRecord> out = emitted();
        assertThat(out).hasSize(1);
        CostRecord r = out.get(0);
        assertThat(r.getWorkload()).isEqualTo("llm");
        assertThat(r.getTeam()).isEqualTo("ml");
        assertThat(r.getSite()).isEqualTo(Site.CLOUD);
        assertThat(r.getGpuModel()).isEqualTo(Samples.A100_MODEL);
        assertThat(r.getWindowStart()).isEqualTo(DAY);
        assertThat(r.getWindowEnd()).isEqualTo(DAY.plusSeconds(60));
        // 68,271 x 0.75 = 51,203.25 -> busy 51,203; idle = 68,271 - 51,203 = 17,068.
        assertThat(r.getCostMicroUsd()).isEqualTo(68_271);
        assertThat(r.getIdleMicroUsd()).isEqualTo(17_068);
        assertThat(r.getGpuMs()).isEqualTo(60_000);
        assertThat(r.getBusyGpuMs()).isEqualTo(45_000);
        assertThat(r.getEnergyMj()).isZero();
        assertThat(r.getSamples()).isEqualTo(1);
        assertThat(r.getRevision()).isZero();
        assertThat(CostModel.toDollarsCents(r.getCostMicroUsd())).hasToString("0.07");
    }

    @Test
    void aFiveMinuteSampleThatSpansAPriceChangeIsSplitAtIt() {
        // Defect 2. A CloudWatch-style 5-minute period ending 10:05:30 covers 10:00:30-10:05:30; the price cut at 10:02
        // is inside it. 90 s before the cut at $32.77 / 8 = $4.09625 per GPU-hour: 32,770,000 x 90,000 / 28,800,000
        // = 102,406.25 -> 102,406; 210 s after it at $2.745: 21,960,000 x 210,000 / 28,800,000 = 160,125 exactly.
        // Together 262,531 (the old code charged all 300 s at the new price: 228,750).
        send(Samples.cloud("i-1/0", DAY.plusSeconds(330), 300_000, 100f).setWorkloads(Samples.shares("llm", 1.0)).build());
        List<CostRecord> out = emitted();
        assertThat(out).extracting(r -> r.getWindowStart()).containsExactly(DAY, DAY.plusSeconds(60), DAY.plusSeconds(120),
                DAY.plusSeconds(180), DAY.plusSeconds(240), DAY.plusSeconds(300));
        assertThat(out).extracting(CostRecord::getGpuMs).containsExactly(30_000L, 60_000L, 60_000L, 60_000L, 60_000L, 30_000L);
        assertThat(out.stream().mapToLong(CostRecord::getCostMicroUsd).sum()).isEqualTo(262_531);
        // Before the cut, 102,406 over 30 s and 60 s: 34,135.33 and 68,270.67, floors 34,135 + 68,270, the unit left to
        // the larger remainder: 34,135 and 68,271. After it, 160,125 over 60 s x 3 and 30 s: 45,750 x 3 and 22,875.
        assertThat(out).extracting(CostRecord::getCostMicroUsd).containsExactly(34_135L, 68_271L, 45_750L, 45_750L, 45_750L, 22_875L);
        // The sample is counted once, in the minute it is stamped in.
        assertThat(out).extracting(CostRecord::getSamples).containsExactly(0, 0, 0, 0, 0, 1);
    }

    @Test
    void aPriceChangeAppliesToSamplesFromItsEffectiveTimeOn() {
        send(Samples.cloud("i-1/0", DAY.plusSeconds(60), 60_000, 100f).setWorkloads(Samples.shares("llm", 1.0)).build());
        send(Samples.cloud("i-1/0", DAY.plusSeconds(120), 60_000, 100f).setWorkloads(Samples.shares("llm", 1.0)).build());
        send(Samples.cloud("i-1/0", DAY.plusSeconds(180), 60_000, 100f).setWorkloads(Samples.shares("llm", 1.0)).build());
        List<CostRecord> out = emitted();
        // A sample covers [sample_time - interval, sample_time): the one stamped 10:02:00 covers 10:01-10:02, all before
        // the cut (effective_from is inclusive, so 10:02:00.000 on is the new price); the one stamped 10:03:00 after it.
        assertThat(costByWindow(out, DAY)).isEqualTo(68_271);
        assertThat(costByWindow(out, DAY.plusSeconds(60))).isEqualTo(68_271);
        assertThat(costByWindow(out, DAY.plusSeconds(120))).isEqualTo(45_750);
    }

    @Test
    void aSharedGpuIsSplitByShareWithPartsSummingToTheWhole() {
        send(Samples.cloud("i-1/1", DAY.plusSeconds(180), 60_000, 50f).setWorkloads(Samples.shares("a", 0.75, "b", 0.25)).build());
        List<CostRecord> out = emitted();
        // 45,750 x 0.75 = 34,312.5 and x 0.25 = 11,437.5: floors sum to 45,749; the unit left goes to the first of
        // the tied remainders: a = 34,313, b = 11,437. Busy at 50 %: 17,156.5 -> 17,156 (half-even), 5,718.5 -> 5,718.
        CostRecord a = byWorkload(out, "a");
        CostRecord b = byWorkload(out, "b");
        assertThat(a.getCostMicroUsd()).isEqualTo(34_313);
        assertThat(a.getIdleMicroUsd()).isEqualTo(34_313 - 17_156);
        assertThat(b.getCostMicroUsd()).isEqualTo(11_437);
        assertThat(b.getIdleMicroUsd()).isEqualTo(11_437 - 5_718);
        assertThat(a.getGpuMs()).isEqualTo(45_000);
        assertThat(b.getGpuMs()).isEqualTo(15_000);
        assertThat(a.getBusyGpuMs()).isEqualTo(22_500);
        assertThat(b.getBusyGpuMs()).isEqualTo(7_500);
        assertThat(a.getCostMicroUsd() + b.getCostMicroUsd()).isEqualTo(45_750);
    }

    @Test
    void anIdleGpuCostsTheSameAndAllOfItIsIdle() {
        send(Samples.cloud("i-1/2", DAY.plusSeconds(180), 60_000, 0f).setWorkloads(Samples.shares("notebook", 1.0)).build());
        CostRecord r = byWorkload(emitted(), "notebook");
        assertThat(r.getCostMicroUsd()).isEqualTo(45_750);
        assertThat(r.getIdleMicroUsd()).isEqualTo(45_750);
        assertThat(r.getBusyGpuMs()).isZero();
    }

    @Test
    void gpuTimeWithoutAWorkloadIsUnallocated() {
        send(Samples.cloud("i-1/3", DAY.plusSeconds(180), 60_000, 30f).build());
        // Half allocated: the other half of the GPU is unallocated too.
        send(Samples.cloud("i-1/4", DAY.plusSeconds(180), 60_000, 30f).setWorkloads(Samples.shares("etl", 0.5)).build());
        List<CostRecord> out = emitted();
        CostRecord un = byWorkload(out, "unallocated");
        // 45,750 (whole GPU) + 22,875 (half of the other). Busy at 30 %: 13,725 + 6,862.5 -> 6,862 (half-even).
        assertThat(un.getCostMicroUsd()).isEqualTo(45_750 + 22_875);
        assertThat(un.getIdleMicroUsd()).isEqualTo(45_750 - 13_725 + 22_875 - 6_862);
        assertThat(un.getGpuMs()).isEqualTo(60_000 + 30_000);
        assertThat(un.getTeam()).isNull();
        assertThat(un.getSamples()).isEqualTo(2);
        assertThat(byWorkload(out, "etl").getCostMicroUsd()).isEqualTo(22_875);
    }

    @Test
    void onPremWithoutTheEnergyCounterChargesPowerTimesInterval() {
        send(Samples.onPrem("GPU-1", DAY.plusSeconds(10), 10_000, 50f, 600f, null).setWorkloads(Samples.shares("train", 1.0)).build());
        CostRecord r = byWorkload(emitted(), "train");
        // fixed 3,865 + energy 280 = 4,145; busy 2,072.5 -> 2,072 (half-even); idle 2,073.
        assertThat(r.getEnergyMj()).isEqualTo(6_000_000);
        assertThat(r.getCostMicroUsd()).isEqualTo(4_145);
        assertThat(r.getIdleMicroUsd()).isEqualTo(2_073);
        assertThat(r.getSite()).isEqualTo(Site.ONPREM);
        assertThat(r.getBusyGpuMs()).isEqualTo(5_000);
    }

    @Test
    void onPremWithTheEnergyCounterChargesTheMeteredDeltaAndNeverCountsEnergyTwice() {
        // 10:00:10 first reading (baseline): charged power x interval, 6,000,000 mJ.
        send(Samples.onPrem("GPU-2", DAY.plusSeconds(10), 10_000, 100f, 600f, 1_000_000_000L).setWorkloads(Samples.shares("train", 1.0)).build());
        // 10:00:20 no counter: estimate 6,000,000 mJ, provisional.
        send(Samples.onPrem("GPU-2", DAY.plusSeconds(20), 10_000, 100f, 600f, null).setWorkloads(Samples.shares("train", 1.0)).build());
        // 10:00:30 counter +13,000,000 mJ since 10:00:10: charged 13,000,000 - 6,000,000 = 7,000,000 mJ.
        send(Samples.onPrem("GPU-2", DAY.plusSeconds(30), 10_000, 100f, 600f, 1_013_000_000L).setWorkloads(Samples.shares("train", 1.0)).build());
        CostRecord r = byWorkload(emitted(), "train");
        // Energy: 6e6 + 6e6 + 7e6 = 19,000,000 mJ = the counter's delta plus the first estimate.
        // Cost: fixed 3 x 3,865 = 11,595; energy 280 + 280 + (7,000,000 x 168,000 / 3.6e9 = 326.67 -> 327) = 887.
        assertThat(r.getEnergyMj()).isEqualTo(19_000_000);
        assertThat(r.getCostMicroUsd()).isEqualTo(11_595 + 887);
        assertThat(r.getIdleMicroUsd()).isZero();
        assertThat(r.getSamples()).isEqualTo(3);

        // A late sample without the counter inside the settled span (10:00:10 .. 10:00:30) adds no energy: the
        // counter's delta already holds it. Its fixed cost for 5 s: 1,932.32 -> 1,932.
        send(Samples.onPrem("GPU-2", DAY.plusSeconds(25), 5_000, 100f, 600f, null).setWorkloads(Samples.shares("train", 1.0)).build());
        CostRecord late = byWorkload(emitted(), "train");
        assertThat(late.getEnergyMj()).isZero();
        assertThat(late.getCostMicroUsd()).isEqualTo(1_932);
        assertThat(late.getRevision()).isEqualTo(1);
    }

    @Test
    void anEnergyCounterResetIsNeverChargedAsNegativeEnergy() {
        // 10:00:10 baseline 5,000,000,000 mJ: charged 600 W x 10 s = 6,000,000 mJ.
        send(Samples.onPrem("GPU-r", DAY.plusSeconds(10), 10_000, 100f, 600f, 5_000_000_000L).setWorkloads(Samples.shares("train", 1.0)).build());
        // 10:00:20 the driver reloaded: the counter restarts at 4,000,000 mJ. Old code: usable only when not
        // smaller, so it charged the estimate too; the test pins it: 6,000,000 mJ, never 4,000,000 - 5e9.
        send(Samples.onPrem("GPU-r", DAY.plusSeconds(20), 10_000, 100f, 600f, 4_000_000L).setWorkloads(Samples.shares("train", 1.0)).build());
        // 10:00:30 metered from the new baseline: 10,000,000 - 4,000,000 = 6,000,000 mJ.
        send(Samples.onPrem("GPU-r", DAY.plusSeconds(30), 10_000, 100f, 500f, 10_000_000L).setWorkloads(Samples.shares("train", 1.0)).build());
        CostRecord r = byWorkload(emitted(), "train");
        assertThat(r.getEnergyMj()).isEqualTo(6_000_000L * 3);
        assertThat(r.getSamples()).isEqualTo(3);
    }

    @Test
    void anEnergyCounterThatJumpsBeyondWhatTheGpuCanDrawIsANewBaselineNotEnergy() {
        // 10:00:10 baseline 1,000 mJ (a counter that wrapped at a narrower width reads small after the wrap).
        send(Samples.onPrem("GPU-w", DAY.plusSeconds(10), 10_000, 100f, 600f, 1_000L).setWorkloads(Samples.shares("train", 1.0)).build());
        // 10:00:20 the counter reads 2^40 mJ: 1.1e12 mJ in 10 s would be 110 MW. An H100 draws at most 1,050 W x
        // 10,000 ms = 10,500,000 mJ in 10 s: not energy, a new baseline; charged the estimate 6,000,000 mJ.
        send(Samples.onPrem("GPU-w", DAY.plusSeconds(20), 10_000, 100f, 600f, 1L << 40).setWorkloads(Samples.shares("train", 1.0)).build());
        // 10:00:30 +10,500,000 mJ in 10 s: exactly the bound, metered.
        send(Samples.onPrem("GPU-w", DAY.plusSeconds(30), 10_000, 100f, 600f, (1L << 40) + 10_500_000L).setWorkloads(Samples.shares("train", 1.0)).build());
        CostRecord r = byWorkload(emitted(), "train");
        assertThat(r.getEnergyMj()).isEqualTo(6_000_000L + 6_000_000L + 10_500_000L);
    }

    @Test
    void aDuplicateIsDroppedAndCountedAndACorrectionAddsOnlyTheDifference() {
        GpuSample first = Samples.cloud("i-2/0", DAY.plusSeconds(180), 60_000, 75f).setWorkloads(Samples.shares("llm", 1.0)).build();
        send(first);
        send(first);
        CostRecord r0 = byWorkload(emitted(), "llm");
        // 45,750 x 0.75 = 34,312.5 -> 34,312 busy (half-even), idle 11,438.
        assertThat(r0.getCostMicroUsd()).isEqualTo(45_750);
        assertThat(r0.getIdleMicroUsd()).isEqualTo(11_438);
        assertThat(r0.getSamples()).isEqualTo(1);
        assertThat(counter("duplicates")).isEqualTo(1);

        // CloudWatch re-publishes the period with utilization 25 %: busy 11,437.5 -> 11,438, idle 34,312.
        send(Samples.cloud("i-2/0", DAY.plusSeconds(180), 60_000, 25f).setWorkloads(Samples.shares("llm", 1.0)).build());
        CostRecord r1 = byWorkload(emitted(), "llm");
        assertThat(r1.getRevision()).isEqualTo(1);
        assertThat(r1.getCostMicroUsd()).isZero();
        assertThat(r1.getGpuMs()).isZero();
        assertThat(r0.getIdleMicroUsd() + r1.getIdleMicroUsd()).isEqualTo(34_312);
        assertThat(r0.getBusyGpuMs() + r1.getBusyGpuMs()).isEqualTo(15_000);
        assertThat(r0.getSamples() + r1.getSamples()).isEqualTo(1);
        assertThat(counter("corrections")).isEqualTo(1);

        // The correction moved to another workload: the first loses the whole sample, the second gains it.
        send(Samples.cloud("i-2/0", DAY.plusSeconds(180), 60_000, 25f).setWorkloads(Samples.shares("batch", 1.0)).build());
        List<CostRecord> r2 = emitted();
        assertThat(byWorkload(r2, "llm").getCostMicroUsd()).isEqualTo(-45_750);
        assertThat(byWorkload(r2, "batch").getCostMicroUsd()).isEqualTo(45_750);
    }

    @Test
    void everyBadSampleGoesToTheDeadLetterTopicWithItsReasonAndIsCounted() {
        byte[] notAvro = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] unknownId = {0, 0, 0, 0x27, 0x0f, 2, 4};
        byte[] good = app.serialize(Samples.cloud("i-9/0", DAY.plusSeconds(60), 60_000, 10f).build());
        byte[] truncated = Arrays.copyOf(good, 12);
        app.samples.pipeInput("k1".getBytes(StandardCharsets.UTF_8), notAvro);
        app.samples.pipeInput("k2".getBytes(StandardCharsets.UTF_8), unknownId);
        app.samples.pipeInput("k3".getBytes(StandardCharsets.UTF_8), truncated);
        send(Samples.cloud("i-9/0", DAY.plusSeconds(60), 60_000, 150f).build());
        send(Samples.cloud("i-9/0", DAY.plusSeconds(60), 60_000, Float.NaN).build());
        send(Samples.onPrem("GPU-9", DAY.plusSeconds(60), 1_000, 10f, -5f, null).build());
        send(Samples.cloud("i-9/0", DAY.plusSeconds(60), 60_000, 10f).setCloud(null).build());
        send(Samples.cloud("i-9/0", DAY.plusSeconds(3_600), 60_000, 10f).build());
        send(Samples.onPrem("GPU-9", DAY.plusSeconds(60), 1_000, 10f, 300f, null).setGpuModel("NVIDIA B200").build());
        // Advance this partition's newest sample to 12:00 (wall clock too), then one from 10:01 is too late.
        app.driver.advanceWallClockTime(Duration.ofHours(2));
        send(Samples.cloud("i-9/1", DAY.plusSeconds(7_200), 60_000, 10f).build());
        emitted();
        send(Samples.cloud("i-9/2", DAY.plusSeconds(60), 60_000, 10f).build());

        List<TestRecord<byte[], byte[]>> dead = app.dlq.readRecordsToList();
        assertThat(dead).extracting(CostTopologyTest::reason).containsExactly(
                "BAD_MAGIC_BYTE", "UNKNOWN_SCHEMA_ID", "CORRUPT_BODY", "OUT_OF_RANGE", "OUT_OF_RANGE", "OUT_OF_RANGE",
                "MISSING_FIELD", "FUTURE_TIMESTAMP", "NO_PRICE", "TOO_LATE");
        assertThat(dead.get(0).value()).isEqualTo(notAvro);
        assertThat(new String(dead.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("k1");
        assertThat(dead.get(2).value()).isEqualTo(truncated);
        assertThat(header(dead.get(3), Topics.DLQ_DETAIL_HEADER)).contains("util_gpu_pct 150.0");
        assertThat(header(dead.get(8), Topics.DLQ_DETAIL_HEADER)).contains("onprem:NVIDIA B200");
        assertThat(counter("dlq.OUT_OF_RANGE")).isEqualTo(3);
        assertThat(counter("dlq.BAD_MAGIC_BYTE")).isEqualTo(1);
        assertThat(counter("dlq.UNKNOWN_SCHEMA_ID")).isEqualTo(1);
        assertThat(counter("dlq.CORRUPT_BODY")).isEqualTo(1);
        assertThat(counter("dlq.MISSING_FIELD")).isEqualTo(1);
        assertThat(counter("dlq.FUTURE_TIMESTAMP")).isEqualTo(1);
        assertThat(counter("dlq.NO_PRICE")).isEqualTo(1);
        assertThat(counter("dlq.TOO_LATE")).isEqualTo(1);
        // the same counts are client metrics (what `streams run` serves on /metrics), per reason
        assertThat(sensorTotal("dlq-OUT_OF_RANGE")).isEqualTo(3.0);
        assertThat(sensorTotal("dlq-BAD_MAGIC_BYTE")).isEqualTo(1.0);
        assertThat(sensorTotal("dlq-NO_PRICE")).isEqualTo(1.0);
        // Bad input never stops the topology: a good sample still costs.
        assertThat(counter("samples")).isEqualTo(1);
        send(Samples.cloud("i-9/3", DAY.plusSeconds(7_260), 60_000, 10f).build());
        assertThat(byWorkload(emitted(), "unallocated").getCostMicroUsd()).isEqualTo(45_750);
    }

    @Test
    void implausibleReadingsAndSampleTimesAreDeadLetteredWithTheirBound() {
        send(Samples.onPrem("GPU-p1", DAY.plusSeconds(60), 60_000, 50f, 1_000_000_000f, null).build());
        // H100: 700 W board power x 1.5 = 1,050 W
        send(Samples.onPrem("GPU-p2", DAY.plusSeconds(60), 10_000, 50f, 1_051f, null).build());
        send(Samples.cloud("i-p/3", Instant.parse("1970-01-01T00:01:00Z"), 60_000, 10f).build());
        send(Samples.cloud("i-p/4", Instant.parse("2100-01-01T00:00:00Z"), 60_000, 10f).build());
        // 400 days and a minute back: past cost.max-age
        send(Samples.cloud("i-p/5", DAY.plusSeconds(300).minus(Duration.ofDays(400)).minusSeconds(60), 60_000, 10f).build());
        List<TestRecord<byte[], byte[]>> dead = app.dlq.readRecordsToList();
        assertThat(dead).extracting(CostTopologyTest::reason).containsExactly(
                "OUT_OF_RANGE", "OUT_OF_RANGE", "PAST_TIMESTAMP", "FUTURE_TIMESTAMP", "PAST_TIMESTAMP");
        assertThat(header(dead.get(0), Topics.DLQ_DETAIL_HEADER)).isEqualTo(
                "power_w 1.0E9 above the plausible 1050.0 W of one NVIDIA H100 80GB HBM3");
        assertThat(header(dead.get(2), Topics.DLQ_DETAIL_HEADER)).contains("1970-01-01T00:01:00Z");
        assertThat(emitted()).isEmpty();
        // at the bound: costed. 1,050 W for 10 s = 10,500,000 mJ x 1.4 x 120,000 / 3,600,000,000 = 490 micro-USD of
        // energy, plus 3,865 fixed (see the class comment) = 4,355.
        send(Samples.onPrem("GPU-p6", DAY.plusSeconds(60), 10_000, 100f, 1_050f, null).setWorkloads(Samples.shares("llm", 1.0)).build());
        assertThat(byWorkload(emitted(), "llm").getCostMicroUsd()).isEqualTo(3_865 + 490);
    }

    @Test
    void aNameOutsideTheOneRuleIsDeadLetteredAsInvalidNameAndTheTopologyKeepsCosting() {
        List<GpuSample> bad = List.of(
                Samples.cloud("i-5/0", DAY.plusSeconds(60), 60_000, 10f).setWorkloads(Samples.shares("*fleet*", 1.0)).build(),
                Samples.cloud("i-5/1", DAY.plusSeconds(60), 60_000, 10f).setWorkloads(Samples.shares("unallocated", 1.0)).build(),
                Samples.cloud("i-5/2", DAY.plusSeconds(60), 60_000, 10f).setWorkloads(List.of(share("Unallocated", null, null))).build(),
                Samples.cloud("i-5/3", DAY.plusSeconds(60), 60_000, 10f).setWorkloads(List.of(share("unallocated", null, 4242))).build(),
                Samples.cloud("i-5/4", DAY.plusSeconds(60), 60_000, 10f).setWorkloads(Samples.shares("d\\e\nf", 1.0)).build(),
                Samples.cloud("i-5/5", DAY.plusSeconds(60), 60_000, 10f).setWorkloads(Samples.shares("w".repeat(100_000), 1.0)).build(),
                Samples.cloud("", DAY.plusSeconds(60), 60_000, 10f).build(),
                Samples.cloud("i-5/7", DAY.plusSeconds(60), 60_000, 10f).setHost("").build(),
                Samples.cloud("i-5/8", DAY.plusSeconds(60), 60_000, 10f).setGpuModel("A100,x=1").build(),
                Samples.cloud("i-5/9", DAY.plusSeconds(60), 60_000, 10f).setWorkloads(List.of(share("llm", "ml\nops", null))).build(),
                Samples.cloud("i-5/10", DAY.plusSeconds(60), 60_000, 10f).setWorkloads(Samples.shares("", 1.0)).build(),
                Samples.cloud("i-5/11", DAY.plusSeconds(60), 60_000, 10f).setWorkloads(Samples.shares("overflow", 1.0)).build());
        bad.forEach(this::send);
        List<TestRecord<byte[], byte[]>> dead = app.dlq.readRecordsToList();
        assertThat(dead).extracting(CostTopologyTest::reason).hasSize(bad.size()).containsOnly("INVALID_NAME");
        assertThat(dead).extracting(r -> header(r, Topics.DLQ_DETAIL_HEADER)).containsExactly(
                "workload '*fleet*' holds U+002A at 0; allowed: letters, digits, single inner spaces and -_.:/@+#()",
                "workload 'unallocated' is a reserved name " + Topics.RESERVED_NAMES,
                "workload 'Unallocated' is a reserved name " + Topics.RESERVED_NAMES,
                "workload 'unallocated' is a reserved name " + Topics.RESERVED_NAMES,
                "workload 'd\\u005ce\\u000af' holds U+005C at 1; allowed: letters, digits, single inner spaces and -_.:/@+#()",
                "workload is 100000 characters long, more than 128",
                "gpu_id is empty",
                "host is empty",
                "gpu_model 'A100,x=1' holds U+002C at 4; allowed: letters, digits, single inner spaces and -_.:/@+#()",
                "team 'ml\\u000aops' holds U+000A at 2; allowed: letters, digits, single inner spaces and -_.:/@+#()",
                "workload is empty",
                "workload 'overflow' is a reserved name " + Topics.RESERVED_NAMES);
        assertThat(counter("dlq.INVALID_NAME")).isEqualTo(bad.size());
        assertThat(emitted()).isEmpty();
        // The collectors' own marker of a GPU with no process (unallocated, no team, no pid) is no job's name: it costs.
        send(Samples.cloud("i-5/12", DAY.plusSeconds(60), 60_000, 10f).setWorkloads(List.of(share("unallocated", null, null))).build());
        send(Samples.cloud("i-5/13", DAY.plusSeconds(60), 60_000, 10f).setWorkloads(Samples.shares("Übersetzung (nightly) #2", 1.0)).build());
        List<CostRecord> out = emitted();
        assertThat(byWorkload(out, "unallocated").getCostMicroUsd()).isEqualTo(68_271);
        assertThat(byWorkload(out, "Übersetzung (nightly) #2").getCostMicroUsd()).isEqualTo(68_271);
    }

    private static costline.events.WorkloadShare share(String workload, String team, Integer pid) {
        return costline.events.WorkloadShare.newBuilder().setWorkload(workload).setTeam(team).setShare(1f).setPid(pid).build();
    }

    @Test
    void aPriceVersionThatBreaksTheModelIsDeadLetteredAndThePreviousVersionStaysInForce() {
        // Defect 6. Three versions that pass the schema but break the model, effective from 10:03 and 10:04 on: 0 GPUs per
        // instance (divides by zero), 0 amortization months (divides by zero), a negative instance price. The old code
        // threw an ArithmeticException for the first sample after them (retried forever by REPLACE_THREAD).
        PriceEntry zeroGpus = CostDriver.cloudPrice("21.96", DAY.plusSeconds(180));
        zeroGpus.getCloudPrice().setGpusPerInstance(0);
        PriceEntry negative = CostDriver.cloudPrice("1.00", DAY.plusSeconds(240));
        negative.getCloudPrice().setInstanceHourlyMicroUsd(-1_000_000);
        PriceEntry zeroMonths = CostDriver.onPremPrice();
        zeroMonths.setEffectiveFrom(DAY.plusSeconds(180));
        zeroMonths.getOnprem().setAmortizationMonths(0);
        for (PriceEntry p : List.of(zeroGpus, negative, zeroMonths)) {
            app.pipe(p);
        }
        send(Samples.cloud("i-1/0", DAY.plusSeconds(300), 60_000, 100f).setWorkloads(Samples.shares("llm", 1.0)).build());
        send(Samples.onPrem("GPU-1", DAY.plusSeconds(250), 10_000, 50f, 600f, null).setWorkloads(Samples.shares("train", 1.0)).build());
        List<CostRecord> out = emitted();
        // Both still priced at the version before the bad ones: 45,750 for the cloud minute (10:04-10:05 at $21.96),
        // 4,145 for the on-prem 10 s (see onPremWithoutTheEnergyCounterChargesPowerTimesInterval).
        assertThat(byWorkload(out, "llm").getCostMicroUsd()).isEqualTo(45_750);
        assertThat(byWorkload(out, "train").getCostMicroUsd()).isEqualTo(4_145);
        TestOutputTopic<String, byte[]> priceDlq = app.driver.createOutputTopic(Topics.GPU_PRICES_DLQ, new StringDeserializer(),
                new ByteArrayDeserializer());
        List<TestRecord<String, byte[]>> refused = priceDlq.readRecordsToList();
        assertThat(refused).extracting(TestRecord::key).containsExactlyInAnyOrder(PriceKeys.topicKey(zeroGpus),
                PriceKeys.topicKey(negative), PriceKeys.topicKey(zeroMonths));
        assertThat(refused).extracting(r -> new String(r.headers().lastHeader(Topics.DLQ_REASON_HEADER).value(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("BAD_GPUS_PER_INSTANCE", "NEGATIVE_PRICE", "BAD_AMORTIZATION");
        // each is dead-lettered once, not at every emit
        emitted();
        assertThat(priceDlq.readRecordsToList()).isEmpty();
        assertThat(counter("prices.dlq.BAD_AMORTIZATION")).isEqualTo(1);
    }

    /**
     * A spot p4d in us-east-1b: the zone's spot price is $9.60/h until DAY+30 s, $12.00/h from then. A 60-s sample
     * ending DAY+60 s is split at the change: 30 s at $9.60 / 8 = $1.20/GPU-h = 1,200,000 x 30,000 / 3,600,000 = 10,000
     * micro-USD, and 30 s at $12.00 / 8 = $1.50/GPU-h = 12,500 micro-USD: 22,500 in all (on demand it would be 68,271).
     */
    @Test
    void aSpotInstanceIsPricedAtItsZonesSpotPriceSplitWhereThePriceChanges() {
        pipeSpot("us-east-1b", "9.60", Instant.parse("2025-01-01T00:00:00Z"));
        pipeSpot("us-east-1b", "12.00", DAY.plusSeconds(30));
        send(spot("us-east-1b", "spot"));
        List<CostRecord> out = emitted();
        assertThat(out).singleElement().satisfies(r -> {
            assertThat(r.getCostMicroUsd()).isEqualTo(22_500);
            assertThat(r.getGpuMs()).isEqualTo(60_000);
            assertThat(r.getBusyGpuMs()).isEqualTo(60_000);
            assertThat(r.getSamples()).isEqualTo(1);
        });
    }

    /**
     * Spot prices known only from DAY+30 s in us-east-1d: the first 30 s fall back to the instance type's rate ($32.77:
     * 32,770,000 x 30,000 / 28,800,000 = 34,135.42 -> 34,135), the rest at $12.00 (12,500): 46,635. An on-demand
     * instance in the same zone, and a spot instance in a zone with no spot price, pay the type's rate (68,271).
     */
    @Test
    void spotFallsBackToTheInstanceRateWhereNoSpotPriceIsInForceAndOnDemandInstancesIgnoreIt() {
        pipeSpot("us-east-1d", "12.00", DAY.plusSeconds(30));
        send(spot("us-east-1d", "spot"));
        assertThat(emitted()).extracting(CostRecord::getCostMicroUsd).containsExactly(46_635L);
        send(Samples.cloud("i-2/0", DAY.plusSeconds(60), 60_000, 100f).setWorkloads(Samples.shares("llm", 1.0))
                .setCloud(placement("us-east-1d", null)).build());
        assertThat(emitted()).extracting(CostRecord::getCostMicroUsd).containsExactly(68_271L);
        send(Samples.cloud("i-3/0", DAY.plusSeconds(60), 60_000, 100f).setWorkloads(Samples.shares("llm", 1.0))
                .setCloud(placement("us-east-1f", "spot")).build());
        assertThat(emitted()).extracting(CostRecord::getCostMicroUsd).containsExactly(68_271L);
    }

    private GpuSample spot(String zone, String lifecycle) {
        return Samples.cloud("i-1/0", DAY.plusSeconds(60), 60_000, 100f).setWorkloads(Samples.shares("llm", 1.0))
                .setCloud(placement(zone, lifecycle)).build();
    }

    private static costline.events.CloudPlacement placement(String zone, String lifecycle) {
        return costline.events.CloudPlacement.newBuilder().setProvider("aws").setRegion("us-east-1").setZone(zone)
                .setInstanceType("p4d.24xlarge").setInstanceId("i-0a1b2c3d4e5f60718").setLifecycle(lifecycle).build();
    }

    private void pipeSpot(String zone, String dollarsPerHour, Instant from) {
        PriceEntry p = PriceEntry.newBuilder(CostDriver.cloudPrice(dollarsPerHour, from))
                .setPriceKey(costline.pricing.CloudPriceKeys.spot("aws", "us-east-1", "p4d.24xlarge", zone)).setSource("spot")
                .setCloudPrice(CloudPrice.newBuilder(CostDriver.cloudPrice(dollarsPerHour, from).getCloudPrice()).setPricingModel("SPOT").build())
                .build();
        app.pipe(p);
    }

    private void send(GpuSample s) {
        app.send(s);
    }

    private List<CostRecord> emitted() {
        return app.emitted();
    }

    private double sensorTotal(String operation) {
        return app.sensorTotal(operation);
    }

    private long counter(String name) {
        return app.counter(name);
    }

    private static CostRecord byWorkload(List<CostRecord> out, String workload) {
        List<CostRecord> found = out.stream().filter(r -> r.getWorkload().equals(workload)).toList();
        assertThat(found).as("records of " + workload + " in " + out).hasSize(1);
        return found.get(0);
    }

    private static long costByWindow(List<CostRecord> out, Instant windowStart) {
        return out.stream().filter(r -> r.getWindowStart().equals(windowStart)).mapToLong(CostRecord::getCostMicroUsd).sum();
    }

    private static String reason(TestRecord<byte[], byte[]> r) {
        return header(r, Topics.DLQ_REASON_HEADER);
    }

    private static String header(TestRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
