package costline.app.view;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.AlertState;
import costline.events.Direction;
import costline.events.DriftMetric;
import costline.events.DriftSignal;
import costline.events.EntityType;
import costline.events.Severity;
import costline.events.CostRecord;
import costline.events.Site;
import costline.events.SpendAlert;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LiveViewTest {

    private static CostRecord cost(String workload, Site site, String minute, long microUsd) {
        Instant start = Instant.parse(minute);
        return CostRecord.newBuilder().setWorkload(workload).setTeam("t").setSite(site).setGpuModel("m")
                .setWindowStart(start).setWindowEnd(start.plusSeconds(60)).setGpuMs(60_000).setBusyGpuMs(30_000)
                .setCostMicroUsd(microUsd).setIdleMicroUsd(microUsd / 2).setEnergyMj(0).setSamples(1).build();
    }

    @Test
    void sumsMonthToDateCostPerWorkloadAndSiteAndStartsAfreshEachMonth() {
        LiveState state = new LiveState();
        state.onCost(cost("inference", Site.CLOUD, "2026-10-31T23:58:00Z", 4_096_250));
        state.onCost(cost("inference", Site.CLOUD, "2026-11-01T00:00:00Z", 1_000_000));
        state.onCost(cost("inference", Site.CLOUD, "2026-11-01T00:01:00Z", 2_500_000));
        state.onCost(cost("training", Site.ONPREM, "2026-11-01T00:01:00Z", 1_046_423));
        state.onCost(cost("inference", Site.CLOUD, "2026-10-31T23:59:00Z", 9_999_999)); // late, last month: not this month's

        assertThat(state.costs().get("inference").cloudMicroUsd()).isEqualTo(3_500_000);
        assertThat(state.costs().get("training").onPremMicroUsd()).isEqualTo(1_046_423);
        String screen = LiveView.render(state, 0.5);
        assertThat(screen).contains("simulated time 2026-11-01 00:02")
                .containsPattern("inference\\s+3\\.50\\s+0\\.00\\s+1\\.75")
                .containsPattern("training\\s+0\\.00\\s+1\\.05");
    }

    @Test
    void showsAlertsWithProjectedDay() {
        LiveState state = new LiveState();
        state.onAlert(SpendAlert.newBuilder().setWorkload("inference").setMonth("2026-11").setState(AlertState.WARNING)
                .setAt(Instant.parse("2026-11-10T00:00:00Z")).setCloudMtdMicroUsd(1_000_000_000L)
                .setOnpremLineMicroUsd(2_500_000_000L).setProjectedCrossDay(24).setProjectedMonthMicroUsd(null).build());
        assertThat(LiveView.render(state, 0)).containsPattern("inference\\s+WARNING\\s+1,000\\.00\\s+2,500\\.00\\s+2026-11-24");
    }

    @Test
    void driftLinesCarryTheirUnitsNeverRawMicroDollars() {
        LiveState state = new LiveState();
        Instant t = Instant.parse("2026-10-14T12:00:00Z");
        // COST_RATE is carried in micro-USD per hour: 21,940,984.1 micro-USD/h = $21.94/h; 5,490,000 = $5.49/h.
        state.onDrift(signal("recsys-train", DriftMetric.COST_RATE, 21_940_984.1, 5_490_000.0, -75, null, t));
        state.onDrift(signal("gpu-0", DriftMetric.UTILIZATION, 92.0, 41.5, -54.9, null, t));
        state.onDrift(signal("gpu-1", DriftMetric.POWER_PER_UTIL, 7.04, 9.5, 34.9, null, t));
        // IDLE: baseline is the floor and current the idle GPUs' utilization, percent; 2,745,000 micro-USD/h wasted is
        // exactly $2.745/h, which rounds half-even to the cent: $2.74/h.
        state.onDrift(signal("batch", DriftMetric.IDLE, 5.0, 0.4, -92, 2_745_000L, t));
        String screen = LiveView.render(state, 1);
        assertThat(screen).contains("COST_RATE      $21.94/h -> $5.49/h (-75%)")
                .contains("UTILIZATION    92.0 % -> 41.5 % (-55%)")
                .contains("POWER_PER_UTIL 7.04 W/% -> 9.50 W/% (+35%)")
                .contains("IDLE           5.0 % -> 0.4 % (-92%), idle GPUs cost $2.74/h")
                .doesNotContain("21940984").doesNotContain("5490000");
    }

    private static DriftSignal signal(String entity, DriftMetric metric, double baseline, double current, double pct,
                                      Long wasted, Instant at) {
        return DriftSignal.newBuilder().setEntity(entity).setEntityType(EntityType.WORKLOAD).setMetric(metric)
                .setBaseline(baseline).setCurrent(current).setChangePct(pct).setDirection(pct < 0 ? Direction.DOWN : Direction.UP)
                .setStartedAt(at).setDetectedAt(at).setSeverity(Severity.WARNING).setWastedMicroUsdPerHour(wasted).build();
    }

    @Test
    void progressBarFillsInProportion() {
        assertThat(LiveView.progressBar(0.25, 8)).isEqualTo("[##------]  25.0%");
        assertThat(LiveView.progressBar(2, 4)).isEqualTo("[####] 100.0%");
    }
}
