package costline.app.view;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.AlertState;
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
    void progressBarFillsInProportion() {
        assertThat(LiveView.progressBar(0.25, 8)).isEqualTo("[##------]  25.0%");
        assertThat(LiveView.progressBar(2, 4)).isEqualTo("[####] 100.0%");
    }
}
