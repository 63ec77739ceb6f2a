package costline.app.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.GpuSample;
import costline.events.Site;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FleetSimulatorTest {

    private static final Instant DRIFT = Instant.parse("2026-10-12T00:00:00Z");

    @Test
    void sameSeedSameSamples() {
        FleetSimulator a = new FleetSimulator(Fleet.standard(DRIFT), Duration.ofMinutes(1), 7);
        FleetSimulator b = new FleetSimulator(Fleet.standard(DRIFT), Duration.ofMinutes(1), 7);
        Instant t = Instant.parse("2026-10-01T15:00:00Z");
        assertThat(a.round(t)).isEqualTo(b.round(t));
    }

    @Test
    void inferenceScalesOutOnlyAtPeakHours() {
        FleetSimulator sim = new FleetSimulator(Fleet.standard(DRIFT), Duration.ofMinutes(1), 1);
        long offPeak = count(sim.round(Instant.parse("2026-10-01T03:00:00Z")), "search-inference");
        long peak = count(sim.round(Instant.parse("2026-10-01T15:00:00Z")), "search-inference");
        assertThat(offPeak).isEqualTo(2);
        assertThat(peak).isEqualTo(8);
    }

    @Test
    void onPremEnergyCounterIntegratesPowerAndCloudHasNone() {
        FleetSimulator sim = new FleetSimulator(Fleet.standard(DRIFT), Duration.ofMinutes(1), 3);
        List<GpuSample> first = sim.round(Instant.parse("2026-10-01T00:01:00Z"));
        List<GpuSample> second = sim.round(Instant.parse("2026-10-01T00:02:00Z"));
        GpuSample onPrem = second.stream().filter(s -> s.getSite() == Site.ONPREM).findFirst().orElseThrow();
        GpuSample before = first.stream().filter(s -> s.getGpuId().equals(onPrem.getGpuId())).findFirst().orElseThrow();
        // The delta of the counter is this interval's power x 60 s, in millijoules.
        assertThat(onPrem.getEnergyCounterMj() - before.getEnergyCounterMj())
                .isEqualTo(Math.round(onPrem.getPowerW().doubleValue() * 60_000));
        assertThat(second.stream().filter(s -> s.getSite() == Site.CLOUD)).allMatch(s -> s.getEnergyCounterMj() == null);
    }

    @Test
    void driftingJobSlowsDownAfterTheChange() {
        FleetSimulator sim = new FleetSimulator(Fleet.standard(DRIFT), Duration.ofMinutes(1), 5);
        double before = meanUtil(sim.round(DRIFT.minusSeconds(3600)), "vector-index-build");
        double after = meanUtil(sim.round(DRIFT.plusSeconds(12 * 3600)), "vector-index-build");
        assertThat(before).isGreaterThan(70);
        assertThat(after).isLessThan(55);
    }

    private static long count(List<GpuSample> samples, String workload) {
        return samples.stream().filter(s -> !s.getWorkloads().isEmpty() && s.getWorkloads().get(0).getWorkload().equals(workload)).count();
    }

    private static double meanUtil(List<GpuSample> samples, String workload) {
        return samples.stream().filter(s -> !s.getWorkloads().isEmpty() && s.getWorkloads().get(0).getWorkload().equals(workload))
                .mapToDouble(s -> s.getUtilGpuPct()).average().orElseThrow();
    }
}
