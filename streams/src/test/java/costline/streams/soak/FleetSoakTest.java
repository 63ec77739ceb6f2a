package costline.streams.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The soak's shortened form in CI: three days across a month end with retentions of hours, through every topology.
 * At every day's end each state store holds at most what its retention allows ({@link FleetSoak#bounds}: retention x
 * the rate of new names + what is active), and the stores keyed by workload hold far fewer entries than the names
 * that passed (without expiry they held one per name). The three-month run: {@code -Dcostline.soak=full}.
 */
class FleetSoakTest {

    @Test
    void stateStaysWithinWhatTheRetentionsAllow() {
        List<FleetSoak.Checkpoint> days = new FleetSoak(FleetSoak.Options.shortForm(), System.out::println).run();
        assertThat(days).hasSize(3);
        assertBounded(days);
        FleetSoak.Checkpoint last = days.get(days.size() - 1);
        assertThat(last.namesSoFar()).isGreaterThan(1_000);
        // keyed by workload: a fraction of the names seen
        for (String store : List.of("drift-workload-state", "drift-workload-gpus", "cost-workload-names")) {
            assertThat(last.entries().get(store)).as(store).isLessThan(last.namesSoFar() / 2);
        }
        // the rollup dropped January (FINAL at 01:00 on Feb 1, + 1 day retention): fewer keys than names
        assertThat(last.entries().get("rollup-monthly-store")).isLessThan(last.namesSoFar());
        // between the last two days the name-keyed state did not grow with the names
        FleetSoak.Checkpoint before = days.get(days.size() - 2);
        assertThat(last.namesSoFar() - before.namesSoFar()).isGreaterThan(300);
        assertThat(last.entries().get("drift-workload-state")).isLessThan(before.entries().get("drift-workload-state") + 60);
    }

    @Test
    void threeMonthsOfAHundredThousandNames() {
        Assumptions.assumeTrue("full".equals(System.getProperty("costline.soak")), "run with -Dcostline.soak=full");
        List<FleetSoak.Checkpoint> months = new FleetSoak(FleetSoak.Options.threeMonths(), System.out::println).run();
        assertBounded(months);
        assertThat(months.get(months.size() - 1).namesSoFar()).isGreaterThanOrEqualTo(100_000);
    }

    private static void assertBounded(List<FleetSoak.Checkpoint> checkpoints) {
        for (FleetSoak.Checkpoint c : checkpoints) {
            c.entries().forEach((store, n) -> assertThat(n).as(c.label() + " " + store + " (bound from the retentions)")
                    .isLessThanOrEqualTo(c.bounds().get(store)));
        }
    }
}
