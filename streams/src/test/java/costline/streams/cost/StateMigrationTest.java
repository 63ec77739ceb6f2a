package costline.streams.cost;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.CostRecord;
import costline.events.GpuSample;
import costline.streams.Samples;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A deployment that ran the earlier state layout restores it and goes on exactly: the seen samples in the key-value
 * store {@code cost-seen-samples} ((time, GPU) -> seen, deleted by range), the revision sequences in
 * {@code cost-revisions}, pending increments as bare parts. The new layout keeps the seen samples by GPU ({@link SeenSamples}) and
 * the sequence in the pending entry, and reads the old stores as fallbacks until their entries age out.
 *
 * <p>Two apps get the same samples: {@code reference} runs the new layout from the start; {@code migrated} starts from
 * the reference's state after the first samples written in the old layout (as its changelogs would restore it), and
 * must then emit the very same increments (amounts and revision numbers): a duplicate of a sample costed by the old
 * layout is dropped, a correction adds only the difference, a key emitted before continues its numbering.
 */
class StateMigrationTest {

    static final String REGISTRY = "mock://state-migration-test";
    static final Instant DAY = CostDriver.DAY;
    static final String APP = "state-migration-test";

    /** Cost apps with their wall clock two days after the test day. */
    private final CostDriver.Instances apps = new CostDriver.Instances(APP, DAY.plus(Duration.ofDays(2)));
    /** emit 1 s, max future 5 min, max interval 1 h, dedup window 1 h, energy max gap 10 min */
    private final CostSettings cfg = CostDriver.settings(REGISTRY);

    @AfterEach
    void stop() {
        apps.close();
    }

    private static GpuSample onPrem(String gpu, long secondsIntoDay, long counterMj, String workload) {
        return Samples.onPrem(gpu, DAY.plusSeconds(secondsIntoDay), 10_000, 50f, 600f, counterMj)
                .setWorkloads(Samples.shares(workload, 1.0)).build();
    }

    /**
     * The reference's state after {@code sent}, written into {@code to}'s stores as the earlier layout kept it, before
     * {@code to} has processed anything (as a restore leaves the stores when the task starts).
     */
    private static void restoreInOldLayout(CostDriver from, CostDriver to, List<GpuSample> sent) {
        KeyValueStore<String, SeenWindow> seenByGpu = from.driver.getKeyValueStore(CostTopology.SEEN_STORE_BY_GPU);
        KeyValueStore<String, byte[]> oldSeen = to.driver.getKeyValueStore(CostTopology.SEEN_STORE);
        for (GpuSample s : sent) {
            long t = s.getSampleTime().toEpochMilli();
            StateCodec.Seen remembered = SeenSamples.lookup(seenByGpu::get, s.getGpuId(), t);
            byte[] seen = remembered == null ? null : StateCodec.seen(remembered);
            assertThat(seen).as("seen %s", s.getGpuId()).isNotNull();
            oldSeen.put(SampleCosting.seenKey(t, s.getGpuId()), seen);
        }
        KeyValueStore<String, Integer> oldRevisions = to.driver.getKeyValueStore(CostTopology.REVISIONS_STORE);
        KeyValueStore<String, StateCodec.Pending> pending = to.driver.getKeyValueStore(CostTopology.PENDING_STORE);
        for (KeyValue<String, StateCodec.Pending> kv : from.<StateCodec.Pending>all(CostTopology.PENDING_STORE)) {
            if (kv.value.lastSequence() >= 0) {
                oldRevisions.put(kv.key, kv.value.lastSequence());
            }
            if (kv.value.part() != null) {
                // the old layout: a bare part (StateCodec reads its bytes as a Pending with the sequence unknown)
                pending.put(kv.key, StateCodec.pending(StateCodec.part(kv.value.part())));
            }
        }
        for (String store : List.of(CostTopology.ENERGY_STORE, CostTopology.COUNTERS_STORE, CostTopology.NAMES_STORE,
                CostTopology.ACCRUAL_STORE)) {
            KeyValueStore<String, Object> target = to.driver.getKeyValueStore(store);
            from.all(store).forEach(kv -> target.put(kv.key, kv.value));
        }
    }

    @Test
    void stateRestoredInTheEarlierLayoutContinuesExactly() {
        CostDriver reference = apps.start(cfg);
        CostDriver migrated = apps.start(cfg);
        // 10:00:10 and 10:00:20 on gpu-a (workload a), 10:00:10 on gpu-b (workload b), emitted; then 10:00:30 on gpu-a,
        // not emitted yet: the old layout held it as a bare pending part, its key's sequence 0 in cost-revisions
        List<GpuSample> first = List.of(onPrem("gpu-a", 36_010, 1_000_000_000L, "a"), onPrem("gpu-b", 36_010, 5_000_000_000L, "b"),
                onPrem("gpu-a", 36_020, 1_006_000_000L, "a"));
        first.forEach(reference::send);
        List<CostRecord> firstEmit = reference.emitted();
        assertThat(firstEmit).isNotEmpty();
        GpuSample pendingAtUpgrade = onPrem("gpu-a", 36_030, 1_012_000_000L, "a");
        reference.send(pendingAtUpgrade);
        List<GpuSample> costed = new ArrayList<>(first);
        costed.add(pendingAtUpgrade);
        restoreInOldLayout(reference, migrated, costed);
        assertThat(migrated.all(CostTopology.SEEN_STORE)).hasSize(4);
        assertThat(migrated.all(CostTopology.REVISIONS_STORE)).isNotEmpty();

        // the pending part from before the upgrade, numbered after the sequence in cost-revisions (revision 1 of its key)
        List<CostRecord> reference1 = reference.emitted();
        List<CostRecord> migrated1 = migrated.emitted();
        assertThat(migrated1).isNotEmpty().isEqualTo(reference1);
        assertThat(migrated1).allMatch(r -> CostRevision.of(r.getRevision()).sequence() == 1);

        // a duplicate of a sample the old layout costed: dropped; a correction of one: only the difference (power
        // 300 W instead of 600 W does not change a metered sample's energy, so a different body with the same cost:
        // utilization 80 % instead of 50 % moves money from idle to busy); a new sample of gpu-b
        GpuSample duplicate = first.get(0);
        GpuSample correction = Samples.onPrem("gpu-b", DAY.plusSeconds(36_010), 10_000, 80f, 600f, 5_000_000_000L)
                .setWorkloads(Samples.shares("b", 1.0)).build();
        GpuSample next = onPrem("gpu-b", 36_020, 5_006_000_000L, "b");
        for (CostDriver app : List.of(reference, migrated)) {
            app.send(duplicate);
            app.send(correction);
            app.send(next);
        }
        List<CostRecord> reference2 = reference.emitted();
        List<CostRecord> migrated2 = migrated.emitted();
        assertThat(migrated2).isNotEmpty().isEqualTo(reference2);
        assertThat(migrated.counter("duplicates")).isEqualTo(reference.counter("duplicates")).isEqualTo(1);
        assertThat(migrated.counter("corrections")).isEqualTo(reference.counter("corrections")).isEqualTo(1);
        assertThat(migrated.counter("samples")).isEqualTo(reference.counter("samples")).isEqualTo(6);

        // 3 h 10 min of data time later the old entries are behind the window (1 h) and the minutes a sample may reach
        // back to (1 h more), so the old stores are empty; both apps still agree
        for (CostDriver app : List.of(reference, migrated)) {
            app.send(onPrem("gpu-a", 36_000 + 11_400, 1_100_000_000L, "a"));
        }
        assertThat(migrated.emitted()).isEqualTo(reference.emitted());
        assertThat(migrated.all(CostTopology.SEEN_STORE)).isEmpty();
        assertThat(migrated.all(CostTopology.REVISIONS_STORE)).isEmpty();
        // nor does the de-duplication memory answer for the old samples any more: a re-sent one is too late
        for (CostDriver app : List.of(reference, migrated)) {
            app.send(duplicate);
        }
        assertThat(migrated.emitted()).isEqualTo(reference.emitted()).isEmpty();
        assertThat(migrated.counter("dlq.TOO_LATE")).isEqualTo(reference.counter("dlq.TOO_LATE")).isEqualTo(1);
    }
}
