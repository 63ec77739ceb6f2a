package costline.streams.sink;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.BreakEvenRecommendation;
import costline.events.CostRecord;
import costline.streams.runtime.StreamsRunner;
import costline.streams.cost.CostRevision;
import costline.events.Direction;
import costline.events.DriftMetric;
import costline.events.DriftSignal;
import costline.events.EntityType;
import costline.events.MonthlyRollup;
import costline.events.Recommendation;
import costline.events.RollupStatus;
import costline.events.Severity;
import costline.events.Site;
import costline.events.AlertState;
import costline.events.SpendAlert;
import costline.streams.Samples;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InfluxPointsTest {

    private static final Instant T = Instant.parse("2026-11-27T10:15:00Z");
    private static final long T_US = T.toEpochMilli() * 1000;

    @Test
    void sampleUsesOnlyTheMeasurementsTagsAndFieldsAndLeavesNullsOut() {
        LinePoint p = InfluxPoints.sample(Samples.onPrem("GPU-1", T, 1000, 87.5f, 612.5f, null).setUtilMemPct(null).build());
        Line line = Line.parse(p.toLineProtocol());
        assertThat(line.measurement).isEqualTo("gpu_sample");
        assertThat(line.tags).containsEntry("gpu_id", "GPU-1").containsEntry("site", "ONPREM")
                .containsEntry("source", "NVML").doesNotContainKey("region");
        assertThat(line.fields).containsEntry("util_gpu", "87.5").containsEntry("power_w", "612.5")
                .containsEntry("temp_c", "54i").doesNotContainKey("util_mem");
        assertThat(line.time).isEqualTo(T_US);
        assertSchema(Measurement.GPU_SAMPLE, line);

        Line cloud = Line.parse(InfluxPoints.sample(Samples.cloud("i-1/0", T, 60_000, 50f).build()).toLineProtocol());
        assertThat(cloud.tags).containsEntry("region", "us-east-1").containsEntry("instance_type", "p4d.24xlarge");
    }

    @Test
    void costRevisionsAreDistinctPointsAndARedeliveredRecordIsTheSamePoint() {
        CostRecord.Builder b = CostRecord.newBuilder().setWorkload("llm").setTeam("ml").setSite(Site.CLOUD)
                .setGpuModel(Samples.A100_MODEL).setWindowStart(T).setWindowEnd(T.plusSeconds(60))
                .setGpuMs(60_000).setBusyGpuMs(45_000).setCostMicroUsd(45_750).setIdleMicroUsd(11_437)
                .setEnergyMj(3_600_000_000L).setSamples(1).setRevision(0);
        Line first = Line.parse(InfluxPoints.cost(b.build()).toLineProtocol());
        Line again = Line.parse(InfluxPoints.cost(b.build()).toLineProtocol());
        Line second = Line.parse(InfluxPoints.cost(b.setRevision(1).build()).toLineProtocol());
        assertThat(first.fields).containsEntry("cost_usd", "0.04575").containsEntry("idle_usd", "0.011437")
                .containsEntry("gpu_seconds", "60.0").containsEntry("busy_gpu_seconds", "45.0")
                .containsEntry("energy_kwh", "1.0");
        assertThat(first.time).isEqualTo(T_US);
        assertThat(again.time).isEqualTo(first.time);
        assertThat(again.tags).isEqualTo(first.tags);
        assertThat(second.time).isEqualTo(T_US + 1);
        assertSchema(Measurement.GPU_COST, first);

        Line noTeam = Line.parse(InfluxPoints.cost(b.setTeam(null).build()).toLineProtocol());
        assertThat(noTeam.tags).doesNotContainKey("team");
    }

    @Test
    void aCostPointNeverLeavesItsMinuteWhateverThePartitionCount() {
        // Defect 7. The old time was window_start + revision microseconds with revision = partition x 100,000 + sequence:
        // partition 600's first increment of 10:00 landed at 10:01:00.000000, on the point of partition 0's first
        // increment of 10:01 (same tags), and overwrote it. Now the partition is a tag and only the sequence (< 100,000)
        // moves the time. Checked up to the largest partition count topics.partitions allows.
        int maxPartitions = (int) StreamsRunner.MAX_PARTITIONS;
        CostRecord.Builder b = CostRecord.newBuilder().setWorkload("llm").setTeam("ml").setSite(Site.CLOUD)
                .setGpuModel(Samples.A100_MODEL).setGpuMs(60_000).setBusyGpuMs(45_000).setCostMicroUsd(45_750)
                .setIdleMicroUsd(11_437).setEnergyMj(0).setSamples(1);
        java.util.Set<String> identities = new java.util.HashSet<>();
        for (int minute = 0; minute < 2; minute++) {
            Instant start = T.plusSeconds(60L * minute);
            for (int partition : new int[] {0, 1, 599, 600, 601, maxPartitions - 1}) {
                for (int sequence : new int[] {0, 1, CostRevision.PER_PARTITION - 1}) {
                    Line line = Line.parse(InfluxPoints.cost(b.setWindowStart(start).setWindowEnd(start.plusSeconds(60))
                            .setRevision(new CostRevision(partition, sequence).value()).build()).toLineProtocol());
                    long startUs = start.getEpochSecond() * 1_000_000L;
                    assertThat(line.time).as("partition %d sequence %d", partition, sequence)
                            .isGreaterThanOrEqualTo(startUs).isLessThan(startUs + 60_000_000L);
                    assertThat(identities.add(new java.util.TreeMap<>(line.tags) + "@" + line.time))
                            .as("point of partition %d sequence %d is unique", partition, sequence).isTrue();
                }
            }
        }
        assertThat(new CostRevision(maxPartitions - 1, CostRevision.PER_PARTITION - 1).value()).isPositive();
    }

    @Test
    void driftBreakevenAlertAndRollupFollowTheSchema() {
        Line drift = Line.parse(InfluxPoints.drift(DriftSignal.newBuilder().setEntity("GPU-1").setEntityType(EntityType.GPU)
                .setMetric(DriftMetric.UTILIZATION).setBaseline(80).setCurrent(40).setChangePct(-50)
                .setDirection(Direction.DOWN).setStartedAt(T.minusSeconds(600)).setDetectedAt(T)
                .setSeverity(Severity.WARNING).build()).toLineProtocol());
        assertThat(drift.fields).containsEntry("severity", "\"WARNING\"").containsEntry("change_pct", "-50.0");
        assertThat(drift.time).isEqualTo(T_US);
        assertSchema(Measurement.GPU_DRIFT, drift);

        Line be = Line.parse(InfluxPoints.breakeven(BreakEvenRecommendation.newBuilder().setScope("llm")
                .setGpuModel(Samples.A100_MODEL).setComputedAt(T).setWindowStart(T.minusSeconds(86400)).setWindowEnd(T)
                .setRecommendation(Recommendation.HYBRID).setOptimalOwnedGpus(6).setPeakGpus(8).setMeanGpus(6.5)
                .setCloudMicroUsdPerGpuHour(2_745_000).setOwnedMonthlyMicroUsdPerGpu(700_000_000)
                .setCapexMicroUsd(150_000_000_000L).setBreakEvenMonths(7.4).setYearlySavingsMicroUsd(12_345_678_900L)
                .build()).toLineProtocol());
        assertThat(be.fields).containsEntry("yearly_savings_usd", "12345.6789").containsEntry("optimal_owned_gpus", "6i")
                .containsEntry("break_even_months", "7.4");
        assertSchema(Measurement.GPU_BREAKEVEN, be);

        Line alert = Line.parse(InfluxPoints.alert(SpendAlert.newBuilder().setWorkload("llm").setMonth("2026-11")
                .setState(AlertState.FIRING).setAt(T).setCloudMtdMicroUsd(1_000_000_010L)
                .setOnpremLineMicroUsd(999_000_000L).build()).toLineProtocol());
        assertThat(alert.fields).containsEntry("cloud_mtd_usd", "1000.00001").doesNotContainKey("projected_cross_day");
        assertSchema(Measurement.GPU_ALERT, alert);

        MonthlyRollup.Builder r = MonthlyRollup.newBuilder().setMonth("2026-11").setZone("Europe/Berlin").setWorkload("llm")
                .setTeam("ml").setSite(Site.ONPREM).setGpuModel(Samples.H100_MODEL).setStatus(RollupStatus.MONTH_TO_DATE)
                .setGpuMs(7_200_000).setBusyGpuMs(3_600_000).setCostMicroUsd(5_000_000).setIdleMicroUsd(2_500_000)
                .setEnergyMj(1_800_000_000L).setUpdatedAt(T);
        Line mtd = Line.parse(InfluxPoints.rollup(r.build()).toLineProtocol());
        Line fin = Line.parse(InfluxPoints.rollup(r.setStatus(RollupStatus.FINAL).setCostMicroUsd(6_000_000)
                .setUpdatedAt(T.plusSeconds(9999)).build()).toLineProtocol());
        // The month starts at midnight in Berlin (UTC+1 in November): 2026-10-31T23:00Z.
        assertThat(mtd.time).isEqualTo(Instant.parse("2026-10-31T23:00:00Z").toEpochMilli() * 1000);
        assertThat(fin.time).isEqualTo(mtd.time);
        assertThat(fin.tags).isEqualTo(mtd.tags);
        assertThat(mtd.fields).containsEntry("gpu_hours", "2.0").containsEntry("energy_kwh", "0.5");
        assertSchema(Measurement.GPU_ROLLUP_MONTHLY, mtd);
    }

    private static void assertSchema(Measurement m, Line line) {
        assertThat(line.measurement).isEqualTo(m.measurementName());
        assertThat(m.tags()).containsAll(line.tags.keySet());
        assertThat(m.fields()).containsAll(line.fields.keySet());
    }

    /** A minimal line-protocol reader for the values these tests write (escaped spaces, no escaped commas). */
    record Line(String measurement, Map<String, String> tags, Map<String, String> fields, long time) {
        static Line parse(String lp) {
            List<String> parts = new ArrayList<>(List.of(lp.split("(?<!\\\\) ")));
            String[] head = parts.get(0).split(",");
            Map<String, String> tags = new LinkedHashMap<>();
            for (int i = 1; i < head.length; i++) {
                String[] kv = head[i].split("=", 2);
                tags.put(kv[0], kv[1].replace("\\ ", " "));
            }
            Map<String, String> fields = new LinkedHashMap<>();
            for (String f : parts.get(1).split(",")) {
                String[] kv = f.split("=", 2);
                fields.put(kv[0], kv[1]);
            }
            return new Line(head[0], tags, fields, Long.parseLong(parts.get(2)));
        }
    }
}
