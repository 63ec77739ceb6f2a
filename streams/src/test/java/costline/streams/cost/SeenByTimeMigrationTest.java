package costline.streams.cost;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.CostRecord;
import costline.events.GpuSample;
import costline.streams.Samples;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A deployment upgraded from the layout that kept the de-duplication memory in the window store
 * {@code cost-seen-by-time} ((GPU, sample time) -> seen, one changelog record per sample) restores that store and goes
 * on exactly: the new layout ({@code cost-seen-by-gpu}) reads it as a fallback until all it holds is behind the window,
 * then retires it.
 *
 * <p>Two apps get the same samples: {@code reference} runs the new layout from the start; {@code migrated} starts from
 * the reference's state with the seen samples written into the old window store instead (as its changelog would
 * restore it), and must then emit the very same increments (amounts and revision numbers) and counts.
 */
class SeenByTimeMigrationTest {

    private final CostDriver.Instances apps = new CostDriver.Instances("seen-by-time-migration-test", CostDriver.DAY.plus(Duration.ofDays(2)));

    @AfterEach
    void stop() {
        apps.close();
    }

    private static GpuSample onPrem(String gpu, long second, float util, long counterMj) {
        return Samples.onPrem(gpu, CostDriver.DAY.plusSeconds(second), 10_000, util, 600f, counterMj)
                .setWorkloads(Samples.shares("w-" + gpu, 1.0)).build();
    }

    private static GpuSample cloud(String gpu, long second, float util) {
        return Samples.cloud(gpu, CostDriver.DAY.plusSeconds(second), 10_000, util).setWorkloads(Samples.shares("train", 1.0)).build();
    }

    /** The reference's state after {@code sent}, in {@code to}'s stores, with the seen samples in the old window store. */
    private static void restoreInOldLayout(CostDriver from, CostDriver to, List<GpuSample> sent) {
        WindowStore<String, byte[]> old = to.driver.getWindowStore(CostTopology.SEEN_BY_TIME_STORE);
        for (GpuSample s : sent) {
            StateCodec.Seen seen = from.seen(s.getGpuId(), s.getSampleTime());
            assertThat(seen).as("seen %s at %s", s.getGpuId(), s.getSampleTime()).isNotNull();
            old.put(s.getGpuId(), StateCodec.seen(seen), s.getSampleTime().toEpochMilli());
        }
        for (String store : List.of(CostTopology.ENERGY_STORE, CostTopology.COUNTERS_STORE, CostTopology.NAMES_STORE,
                CostTopology.ACCRUAL_STORE, CostTopology.PENDING_STORE)) {
            KeyValueStore<String, Object> target = to.driver.getKeyValueStore(store);
            from.all(store).forEach(kv -> target.put(kv.key, kv.value));
        }
    }

    private static int windowEntries(CostDriver app) {
        int n = 0;
        try (KeyValueIterator<Windowed<String>, byte[]> it =
                     app.driver.<String, byte[]>getWindowStore(CostTopology.SEEN_BY_TIME_STORE).all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    private static void bothAgree(CostDriver reference, CostDriver migrated) {
        List<CostRecord> r = reference.emitted();
        assertThat(migrated.emitted()).isEqualTo(r);
        for (String counter : List.of("samples", "duplicates", "corrections", "dlq.TOO_LATE")) {
            assertThat(migrated.counter(counter)).as(counter).isEqualTo(reference.counter(counter));
        }
    }

    @Test
    void theOldWindowStoreIsReadUntilItAgesOutAndTheRunContinuesExactly() {
        CostDriver reference = apps.start(CostDriver.settings("mock://seen-by-time-migration-test"));
        CostDriver migrated = apps.start(CostDriver.settings("mock://seen-by-time-migration-test"));
        // before the upgrade: 40 samples of a cloud GPU 10 s apart, 2 of an on-prem GPU (metered energy), emitted
        List<GpuSample> before = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            before.add(cloud("gpu-c", 10L * i, 40f));
        }
        before.add(onPrem("gpu-p", 10, 50f, 1_000_000_000L));
        before.add(onPrem("gpu-p", 20, 50f, 1_006_000_000L));
        before.forEach(reference::send);
        assertThat(reference.emitted()).isNotEmpty();
        restoreInOldLayout(reference, migrated, before);
        assertThat(windowEntries(migrated)).isEqualTo(42);
        assertThat(migrated.all(CostTopology.SEEN_STORE_BY_GPU)).isEmpty();

        // after it: a duplicate of an old-layout sample (dropped), corrections of old-layout samples (only the
        // difference; the on-prem one keeps the energy first charged), an out-of-order new sample between old ones,
        // and new samples
        List<GpuSample> after = List.of(cloud("gpu-c", 100, 40f), cloud("gpu-c", 30, 90f), onPrem("gpu-p", 20, 80f, 1_006_000_000L),
                cloud("gpu-c", 105, 40f), cloud("gpu-c", 410, 40f), onPrem("gpu-p", 30, 50f, 1_012_000_000L), cloud("gpu-c", 30, 90f));
        for (CostDriver app : List.of(reference, migrated)) {
            after.forEach(app::send);
        }
        bothAgree(reference, migrated);
        assertThat(migrated.counter("duplicates")).isEqualTo(2);
        assertThat(migrated.counter("corrections")).isEqualTo(2);
        // the corrected old-layout sample is now remembered in the new store, with what the reference remembers
        assertThat(migrated.seen("gpu-c", CostDriver.DAY.plusSeconds(30))).isNotNull()
                .isEqualTo(reference.seen("gpu-c", CostDriver.DAY.plusSeconds(30)));
        assertThat(windowEntries(migrated)).isEqualTo(42);

        // 30 min of data time later the old samples are still inside the window: still found (a duplicate of one)
        for (CostDriver app : List.of(reference, migrated)) {
            app.send(cloud("gpu-c", 1800, 40f));
            app.send(cloud("gpu-c", 200, 40f));
        }
        bothAgree(reference, migrated);
        assertThat(migrated.counter("duplicates")).isEqualTo(3);
        assertThat(windowEntries(migrated)).isEqualTo(42);

        // 61 min and more after the newest old sample, all it holds is behind the window: the old store is retired (its
        // segments dropped) and never scanned again; both apps still agree, and an old sample is too late for both
        for (CostDriver app : List.of(reference, migrated)) {
            app.send(cloud("gpu-c", 400 + 3 * 3600, 40f));
        }
        bothAgree(reference, migrated);
        assertThat(windowEntries(migrated)).isZero();
        assertThat(migrated.counter("seen-by-time.retired")).isPositive();
        for (CostDriver app : List.of(reference, migrated)) {
            app.send(cloud("gpu-c", 30, 90f));
            app.send(cloud("gpu-c", 400 + 3 * 3600 + 10, 40f));
        }
        bothAgree(reference, migrated);
        assertThat(migrated.counter("dlq.TOO_LATE")).isEqualTo(1);
        assertThat(migrated.counter("samples")).isEqualTo(42 + 8);
        List<KeyValue<String, SeenWindow>> kept = migrated.all(CostTopology.SEEN_STORE_BY_GPU);
        assertThat(kept).extracting(kv -> kv.key).containsExactlyInAnyOrder("gpu-c");
    }
}
