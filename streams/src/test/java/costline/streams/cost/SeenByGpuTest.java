package costline.streams.cost;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.CostRecord;
import costline.events.GpuSample;
import costline.streams.Samples;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The de-duplication memory kept per GPU ({@link SeenSamples}): whatever chunk of a GPU's value a sample time lands in,
 * a sample seen within the window is a duplicate, a different body is a correction that adds only its difference,
 * and what is behind the window is forgotten (and refused as too late, as before).
 */
class SeenByGpuTest {

    private final CostDriver.Instances apps = new CostDriver.Instances("seen-by-gpu-test", CostDriver.DAY.plus(Duration.ofDays(2)));

    @AfterEach
    void stop() {
        apps.close();
    }

    private CostDriver app() {
        return apps.start(CostDriver.settings("mock://seen-by-gpu-test"));
    }

    /** A cloud A100 sampled every 10 s at {@code util} %, its time {@code second} seconds into the day's 10:00. */
    private static GpuSample cloud(String gpu, long second, float util) {
        return Samples.cloud(gpu, CostDriver.DAY.plusSeconds(second), 10_000, util).setWorkloads(Samples.shares("train", 1.0)).build();
    }

    /** Sums of every emitted increment: gpu-ms, busy gpu-ms, cost, idle, samples. */
    private static long[] totals(List<CostRecord> records) {
        long[] t = new long[5];
        for (CostRecord r : records) {
            t[0] += r.getGpuMs();
            t[1] += r.getBusyGpuMs();
            t[2] += r.getCostMicroUsd();
            t[3] += r.getIdleMicroUsd();
            t[4] += r.getSamples();
        }
        return t;
    }

    @Test
    void duplicatesAndCorrectionsAreFoundInEveryChunkOfAGpusWindow() {
        CostDriver a = app();
        CostDriver fresh = app();
        // 200 samples of one GPU, 10 s apart (33 min): the head spills a chunk every SeenWindow.CHUNK samples beyond SPILL_AT
        int n = 200;
        List<CostRecord> aOut = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            a.send(cloud("gpu-fast", 10L * i, 50f));
        }
        aOut.addAll(a.emitted());
        List<KeyValue<String, SeenWindow>> values = a.all(CostTopology.SEEN_STORE_BY_GPU);
        // a head and the chunks it spilled: (200 - 32) / 16 rounded up
        assertThat(values).hasSize(1 + (n - SeenWindow.SPILL_AT + SeenWindow.CHUNK - 1) / SeenWindow.CHUNK);
        assertThat(values).allSatisfy(kv -> assertThat(kv.value.samples().size()).isLessThanOrEqualTo(SeenWindow.SPILL_AT + 1));

        // every sample again, in random order: all duplicates, nothing emitted
        List<Integer> order = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(14));
        for (int i : order) {
            a.send(cloud("gpu-fast", 10L * i, 50f));
        }
        assertThat(a.emitted()).isEmpty();
        assertThat(a.counter("duplicates")).isEqualTo(n);

        // every third sample corrected (utilization 80 % instead of 50 %), out of order, in old chunks and the head: only
        // the differences are added, so the totals are those of a run that saw the corrected samples only
        Collections.shuffle(order, new Random(15));
        int corrected = 0;
        for (int i : order) {
            if (i % 3 == 0) {
                a.send(cloud("gpu-fast", 10L * i, 80f));
                corrected++;
            }
        }
        aOut.addAll(a.emitted());
        assertThat(a.counter("corrections")).isEqualTo(corrected);
        for (int i = 1; i <= n; i++) {
            fresh.send(cloud("gpu-fast", 10L * i, i % 3 == 0 ? 80f : 50f));
        }
        List<CostRecord> freshOut = fresh.emitted();
        // 200 samples x 10 s = 2,000,000 gpu-ms; 1/8 of $32.77/h for 10 s = 11,378 micro-dollars a sample (cut by the
        // cost model): the totals must agree field by field, and the corrections moved busy time
        assertThat(totals(aOut)).containsExactly(totals(freshOut));
        assertThat(totals(aOut)[0]).isEqualTo(2_000_000L);
        assertThat(totals(aOut)[4]).isEqualTo(n);
        assertThat(a.counter("samples")).isEqualTo(n + corrected);
        // the memory holds the corrected body: the same correction again is a duplicate
        a.send(cloud("gpu-fast", 30, 80f));
        assertThat(a.emitted()).isEmpty();
        assertThat(a.counter("duplicates")).isEqualTo(n + 1);
        assertThat(a.seen("gpu-fast", CostDriver.DAY.plusSeconds(30))).isEqualTo(fresh.seen("gpu-fast", CostDriver.DAY.plusSeconds(30)));
    }

    @Test
    void whatIsBehindTheWindowIsForgottenAndRefusedAsBefore() {
        CostDriver a = app();
        for (int i = 1; i <= 100; i++) {
            a.send(cloud("gpu-fast", 10L * i, 50f));
        }
        a.send(cloud("gpu-idle", 10, 50f));
        a.emitted();
        assertThat(a.all(CostTopology.SEEN_STORE_BY_GPU)).hasSizeGreaterThan(2);
        // 3 h later: the window (1 h) and its margin are behind. The GPU sampled again keeps only its new sample; the
        // idle GPU's value goes with the expiry scan of the next emit; the old chunks are deleted
        long later = 1000 + 3 * 3600;
        a.send(cloud("gpu-fast", later, 50f));
        a.emitted();
        a.send(cloud("gpu-fast", later + 10, 50f));
        a.emitted();
        List<KeyValue<String, SeenWindow>> values = a.all(CostTopology.SEEN_STORE_BY_GPU);
        assertThat(values).extracting(kv -> kv.key).containsExactly("gpu-fast");
        assertThat(values.get(0).value.samples().keySet()).containsExactly(
                CostDriver.DAY.plusSeconds(later).toEpochMilli(), CostDriver.DAY.plusSeconds(later + 10).toEpochMilli());
        assertThat(values.get(0).value.chunks).isEmpty();
        // a sample inside the window but older than everything kept is new; one behind the window is too late
        a.send(cloud("gpu-fast", later - 3000, 50f));
        assertThat(a.emitted()).isNotEmpty();
        assertThat(a.counter("samples")).isEqualTo(104);
        a.send(cloud("gpu-fast", 500, 50f));
        assertThat(a.emitted()).isEmpty();
        assertThat(a.counter("dlq.TOO_LATE")).isEqualTo(1);
    }
}
