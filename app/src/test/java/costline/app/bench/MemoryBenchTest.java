package costline.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The CI form of {@code scripts/bench.sh memory}: two periods of a day of the quickstart's fleet (a sample every 5
 * minutes per GPU, as the quickstart) through the whole pipeline. Checks that the program measures what it claims (every topology's stores found
 * and counted, the samples it sent on gpu.samples, heap and RSS read), and that the second period's heap is within a
 * generous bound of the first's: the retention windows are not full yet after a day, so some growth is expected;
 * a leak per sample or per record would exceed it. The figures themselves come from the on-demand run.
 */
class MemoryBenchTest {

    @Test
    @Timeout(300)
    void twoShortPeriodsProduceEveryFigureWithoutRunawayGrowth() throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8);
        LocalDate start = YearMonth.now(ZoneOffset.UTC).minusMonths(2).atDay(1);
        MemoryBench.Run run = MemoryBench.replay(new MemoryBench.Options(start, 2, 1, Duration.ofMinutes(5), 1, false), out);
        System.out.print(text.toString(StandardCharsets.UTF_8));

        assertThat(run.gpus()).isEqualTo(25);
        assertThat(run.workloads()).isEqualTo(5);
        assertThat(run.months()).hasSize(2);
        for (MemoryBench.Month m : run.months()) {
            assertThat(m.samples()).isPositive();
            // the producer is idempotent, not transactional: no commit markers on gpu.samples, one offset per sample
            assertThat(m.topicOffsets().get("gpu.samples")).isEqualTo(m.samples());
            assertThat(m.topicOffsets().get("gpu.cost")).isPositive();
            assertThat(m.heapAfterGc()).isPositive();
            assertThat(m.rss()).isGreaterThan(m.heapAfterGc() / 2);
            assertThat(m.peakRss()).isGreaterThanOrEqualTo(m.rss());
            // every application's state is found and counted
            for (String app : new String[]{"costline-cost/", "costline-drift/", "costline-rollup/", "costline-alerts/", "costline-breakeven/"}) {
                assertThat(m.storeEntries().keySet()).as("stores of %s", app).anyMatch(k -> k.startsWith(app));
            }
            assertThat(m.storeEntries().values().stream().mapToLong(Long::longValue).sum()).isPositive();
            assertThat(m.dataDiskBytes()).containsKeys("kafka", "streams");
        }
        assertThat(run.months().get(1).storeEntries()).isNotEmpty();
        long first = run.months().get(0).heapAfterGc();
        long second = run.months().get(1).heapAfterGc();
        assertThat(second).as("heap after GC, period 2 vs period 1 (%d MiB)", first >> 20).isLessThan(first * 2 + (64L << 20));
    }
}
