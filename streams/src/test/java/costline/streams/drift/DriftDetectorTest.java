package costline.streams.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import costline.events.Direction;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DriftDetectorTest {

    private static final long T0 = 1_790_000_000_000L;
    private final DriftDetector detector = new DriftDetector(DetectorParams.DEFAULTS, MetricScale.UTILIZATION);

    /** Runs a 1 Hz series through a fresh detector; index i has timestamp T0 + i s. */
    private List<Detection> run(double[] series) {
        DetectorState state = detector.newState();
        List<Detection> out = new ArrayList<>();
        for (int i = 0; i < series.length; i++) {
            detector.update(state, T0 + i * 1000L, series[i]).ifPresent(out::add);
        }
        return out;
    }

    private static long sampleIndex(long timestamp) {
        return (timestamp - T0) / 1000L;
    }

    @Test
    void stepFrom90To40WithSigma5IsDetectedWithin120SamplesForEverySeed() {
        int stepAt = 900;
        for (long seed = 1; seed <= 30; seed++) {
            List<Detection> found = run(Synthetic.series(seed, 2400, 5.0, Synthetic.step(90, 40, stepAt)));
            assertThat(found).as("seed %d", seed).isNotEmpty();
            Detection first = found.get(0);
            long delay = sampleIndex(first.detectedAt()) - stepAt;
            assertThat(delay).as("seed %d: detection delay in samples", seed).isBetween(0L, 120L);
            assertThat(first.direction()).isEqualTo(Direction.DOWN);
            assertThat(first.baseline()).isCloseTo(90.0, org.assertj.core.data.Offset.offset(3.0));
            assertThat(first.current()).isCloseTo(40.0, org.assertj.core.data.Offset.offset(6.0));
            assertThat(sampleIndex(first.startedAt())).as("estimated start").isBetween(stepAt - 20L, stepAt + 5L);
            // Re-baselined: the new level is not reported again.
            assertThat(found).as("seed %d: one change, one signal", seed).hasSize(1);
        }
    }

    @Test
    void stepUpIsReportedAsUp() {
        List<Detection> found = run(Synthetic.series(7, 2000, 5.0, Synthetic.step(40, 90, 800)));
        assertThat(found).hasSize(1);
        assertThat(found.get(0).direction()).isEqualTo(Direction.UP);
        assertThat(sampleIndex(found.get(0).detectedAt()) - 800).isBetween(0L, 120L);
    }

    @Test
    void gradualDriftOf50PointsOverAnHourIsDetectedBeforeItEnds() {
        int start = 900;
        int hour = 3600;
        for (long seed = 1; seed <= 20; seed++) {
            List<Detection> found = run(Synthetic.series(seed, start + hour + 600, 5.0,
                    Synthetic.ramp(90, 40, start, hour)));
            assertThat(found).as("seed %d", seed).isNotEmpty();
            Detection first = found.get(0);
            assertThat(first.direction()).isEqualTo(Direction.DOWN);
            assertThat(sampleIndex(first.detectedAt())).as("seed %d: detected during the ramp", seed)
                    .isBetween((long) start, (long) start + hour);
            assertThat(first.baseline()).as("baseline not dragged along by the drift").isGreaterThan(80.0);
        }
    }

    @Test
    void hundredThousandStationarySamplesGiveNoSignal() {
        for (long seed = 1; seed <= 5; seed++) {
            assertThat(run(Synthetic.series(seed, 100_000, 5.0, i -> 90.0))).as("seed %d at 90 %%", seed).isEmpty();
            assertThat(run(Synthetic.series(seed + 100, 100_000, 5.0, i -> 50.0))).as("seed %d at 50 %%", seed)
                    .isEmpty();
        }
    }

    @Test
    void aSingleTenSampleSpikeGivesNoSignalWhateverItsHeight() {
        // 1000 seeds: seed 10751 once found a spike that tilted the window median with help from the noise.
        for (long seed = 10_001; seed <= 11_000; seed++) {
            int at = 1500;
            assertThat(run(Synthetic.series(seed, 3000, 5.0, Synthetic.spike(90, 5, at, 10))))
                    .as("seed %d: downward spike", seed).isEmpty();
            assertThat(run(Synthetic.series(seed, 3000, 5.0, Synthetic.spike(40, 100, at, 10))))
                    .as("seed %d: upward spike", seed).isEmpty();
        }
    }

    @Test
    void aSpikeLongerThanHalfTheConfirmationWindowIsASustainedChange() {
        // The boundary the confirmation window draws: 40 samples at a new level is no longer a spike.
        List<Detection> found = run(Synthetic.series(3, 3000, 5.0, Synthetic.spike(90, 20, 900, 40)));
        assertThat(found).isNotEmpty();
        assertThat(found.get(0).direction()).isEqualTo(Direction.DOWN);
    }

    @Test
    void reBaselinesAfterADetectionAndReportsTheReturn() {
        double[] series = Synthetic.series(11, 4000, 5.0, i -> i < 1000 ? 90 : i < 2500 ? 40 : 90);
        List<Detection> found = run(series);
        assertThat(found).extracting(Detection::direction).containsExactly(Direction.DOWN, Direction.UP);
        assertThat(found.get(1).baseline()).isCloseTo(40.0, org.assertj.core.data.Offset.offset(3.0));
    }

    @Test
    void aPerfectlyFlatSeriesUsesTheNoiseFloorAndStillSeesARealChange() {
        double[] series = new double[1000];
        for (int i = 0; i < series.length; i++) {
            series[i] = i < 500 ? 100.0 : 70.0;
        }
        List<Detection> found = run(series);
        assertThat(found).hasSize(1);
        assertThat(found.get(0).baseline()).isCloseTo(100.0, org.assertj.core.data.Offset.offset(0.1));
        assertThat(found.get(0).current()).isEqualTo(70.0);
        assertThat(Double.isFinite(found.get(0).sigma())).isTrue();
    }

    @Test
    void aChangeSmallerThanTheReportingMinimumIsAbsorbedSilently() {
        // 90 -> 86 is under 10 % of the baseline and under 2 sigma: never reported, and the baseline moves on.
        DriftDetector d = detector;
        DetectorState state = d.newState();
        double[] series = Synthetic.series(5, 8000, 2.0, Synthetic.step(90, 86, 1000));
        for (int i = 0; i < series.length; i++) {
            Optional<Detection> found = d.update(state, T0 + i * 1000L, series[i]);
            assertThat(found).as("sample %d", i).isEmpty();
        }
        assertThat(state.baseline()).isCloseTo(86.0, org.assertj.core.data.Offset.offset(1.0));
    }

    @Test
    void rejectsANonFiniteSample() {
        DetectorState state = detector.newState();
        assertThatThrownBy(() -> detector.update(state, T0, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a finite number");
    }

    @Test
    void invalidParamsNameTheSettingAndTheFix() {
        assertThatThrownBy(() -> new DetectorParams(60, 100, 0.5, 8, 4, 2, 10, 600, 1800))
                .hasMessageContaining("drift.confirm-samples").hasMessageContaining("warmup-samples");
        assertThatThrownBy(() -> new DetectorParams(60, 30, 0.5, -1, 4, 2, 10, 600, 1800))
                .hasMessageContaining("drift.cusum-h");
    }
}
