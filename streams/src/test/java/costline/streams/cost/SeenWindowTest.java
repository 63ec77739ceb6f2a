package costline.streams.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/** The per-GPU value of the de-duplication memory: its byte layout, and how its head spills chunks and forgets. */
class SeenWindowTest {

    private static StateCodec.Seen seen(long t, long hash, String workload, String team, long costMicroUsd) {
        long minute = t - t % 60_000;
        return new StateCodec.Seen(hash, 7_000 + t % 13, List.of(
                new SampleCosting.Piece(minute - 60_000, new Part(workload, team, 400, 100, costMicroUsd, -costMicroUsd / 3, 5, 0)),
                new SampleCosting.Piece(minute, new Part("unallocated", null, 600, 0, 2 * costMicroUsd, Long.MIN_VALUE, 0, 1))));
    }

    @Test
    void aWindowWithChunksRoundTripsExactly() {
        SeenWindow w = SeenWindow.empty();
        long start = 1_764_237_600_000L; // 2025-11-27T10:00:00Z
        for (int i = 0; i < 40; i++) {
            long t = start + i * 1_000L;
            // names beyond writeUTF's 64 KiB, a hash with the sign bit, amounts up to Long.MAX_VALUE
            String workload = i == 3 ? "w".repeat(70_000) : "train-" + (i % 3);
            w.put(t, seen(t, i == 5 ? -1L : 31L * i, workload, i % 2 == 0 ? "ml" : null, i == 7 ? Long.MAX_VALUE : 1_234L * i));
            w.spill();
        }
        assertThat(w.chunks).hasSize(1);
        SeenWindow back = StateCodec.seenWindow(StateCodec.seenWindow(w));
        assertThat(back.samples()).isEqualTo(w.samples());
        assertThat(back.chunks).containsExactly(w.chunks);
        assertThat(back.headFromMs).isEqualTo(w.headFromMs);

        SeenWindow none = StateCodec.seenWindow(StateCodec.seenWindow(SeenWindow.empty()));
        assertThat(none.samples()).isEmpty();
        assertThat(none.chunks).isEmpty();
        assertThat(none.headFromMs).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void aSteadySampleCostsAboutThirtyBytes() {
        SeenWindow w = SeenWindow.empty();
        long start = 1_764_237_600_000L;
        for (int i = 0; i < SeenWindow.SPILL_AT; i++) {
            long t = start + i * 1_000L;
            w.put(t, new StateCodec.Seen(0x9e3779b97f4a7c15L * i, 0, List.of(new SampleCosting.Piece(t - t % 60_000,
                    new Part("llm-train", "ml", 1_000, 730, 1_138, 307, 0, 1)))));
        }
        // the old layout's value alone (SEEN_V3) took 8 + 8 + 4 + 8 + 4 + 9 + 1 + 4 + 2 + 40 + 4 + 1 = 93 bytes a sample
        assertThat(StateCodec.seenWindow(w).length).isLessThan(SeenWindow.SPILL_AT * 30);
    }

    @Test
    void theHeadSpillsItsOldestSamplesAndEachTimeHasOneHome() {
        SeenWindow head = SeenWindow.empty();
        List<SeenWindow> chunks = new java.util.ArrayList<>();
        for (int i = 0; i < 3 * SeenWindow.CHUNK + SeenWindow.SPILL_AT; i++) {
            head.put(10_000L * i, seen(10_000L * i, i, "a", "t", i));
            SeenWindow c = head.spill();
            if (c != null) {
                chunks.add(c);
            }
            assertThat(head.samples().size()).isLessThanOrEqualTo(SeenWindow.SPILL_AT);
        }
        assertThat(chunks).hasSize(3);
        assertThat(head.chunks).containsExactly(0L, 160_000L, 320_000L);
        assertThat(head.headFromMs).isEqualTo(480_000L);
        for (SeenWindow c : chunks) {
            assertThat(c.samples()).hasSize(SeenWindow.CHUNK);
        }
        // every time goes to the chunk whose range holds it: the first chunk also takes what is before its id
        assertThat(head.headCovers(480_000L)).isTrue();
        assertThat(head.headCovers(479_999L)).isFalse();
        assertThat(head.chunkFor(479_999L)).isEqualTo(320_000L);
        assertThat(head.chunkFor(320_000L)).isEqualTo(320_000L);
        assertThat(head.chunkFor(159_999L)).isEqualTo(0L);
        assertThat(head.chunkFor(-5L)).isEqualTo(0L);

        // forgetting before 325,000: the chunks that end at or before it go (their keys are returned), samples before it too
        assertThat(head.pruneBefore(160_000L)).containsExactly(0L);
        assertThat(head.pruneBefore(325_000L)).containsExactly(160_000L);
        assertThat(head.chunks).containsExactly(320_000L);
        assertThat(head.pruneBefore(480_000L)).containsExactly(320_000L);
        assertThat(head.chunks).isEmpty();
        assertThat(head.headCovers(0L)).isTrue();
        assertThat(head.pruneBefore(500_000L)).isEmpty();
        assertThat(head.samples().firstKey()).isEqualTo(500_000L);
        assertThat(head.newestMs()).isEqualTo(10_000L * (3 * SeenWindow.CHUNK + SeenWindow.SPILL_AT - 1));
    }

    @Test
    void aDamagedValueIsRefusedNotMisread() {
        byte[] good = StateCodec.seenWindow(SeenWindow.empty());
        byte[] future = good.clone();
        future[0] = 9;
        assertThatThrownBy(() -> StateCodec.seenWindow(future)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("version 9");
        SeenWindow one = SeenWindow.empty();
        one.put(60_000L, seen(60_000L, 1, "a", "t", 5));
        byte[] bytes = StateCodec.seenWindow(one);
        assertThatThrownBy(() -> StateCodec.seenWindow(java.util.Arrays.copyOf(bytes, bytes.length - 3)))
                .isInstanceOf(UncheckedIOException.class);
    }
    /** Bytes main's encoder (the one that encoded the whole head at every commit) wrote for {@link #fixtureWindow}. */
    private static final String WRITTEN_BEFORE = "010480f5c1cbd866c0cf24c2cf2408000000096c6c6d2d747261696e000000026d6c00000006e68ea8e790860000000b756e616c6c"
            + "6f63617465640680948bccd866fffffffffffffff90002bfa9070004d00fb40be411e6040002d00f9e3779b97f4a7c15f2c001048fb90700"
            + "04a006c8010a030e00cf0f0400b00900feffffffffffffffff01ffffffffffffffffff010002d00f000000000000002a06029f1f0600d00f"
            + "0012120602";

    private static final long T0 = 1_764_237_600_000L;

    /** Three samples (teams and none, a name outside Latin-1, amounts at the longs' ends), two chunks before them. */
    private static NavigableMap<Long, StateCodec.Seen> fixtureSamples() {
        NavigableMap<Long, StateCodec.Seen> m = new TreeMap<>();
        m.put(T0, new StateCodec.Seen(-7L, 0, List.of(new SampleCosting.Piece(T0 - 60_000, new Part("llm-train", "ml", 1_000, 730, 1_138, 307, 0, 1)))));
        m.put(T0 + 1_000, new StateCodec.Seen(0x9e3779b97f4a7c15L, 12_345, List.of(
                new SampleCosting.Piece(T0 - 60_000, new Part("llm-train", "ml", 400, 100, 5, -2, 7, 0)),
                new SampleCosting.Piece(T0, new Part("推理", null, 600, 0, Long.MAX_VALUE, Long.MIN_VALUE, 0, 1)))));
        m.put(T0 + 2_000, new StateCodec.Seen(42L, 3, List.of(new SampleCosting.Piece(T0, new Part("unallocated", null, 1_000, 0, 9, 9, 3, 1)))));
        return m;
    }

    private static SeenWindow fixtureWindow() {
        SeenWindow w = SeenWindow.empty();
        fixtureSamples().forEach(w::put);
        w.chunks = new long[] {T0 - 600_000, T0 - 300_000};
        w.headFromMs = T0;
        return w;
    }

    @Test
    void aValueWrittenByTheEarlierEncoderIsReadAndWrittenBackByteForByte() {
        byte[] before = HexFormat.of().parseHex(WRITTEN_BEFORE);
        SeenWindow read = StateCodec.seenWindow(before);
        assertThat(read.samples()).isEqualTo(fixtureSamples());
        assertThat(read.chunks).containsExactly(T0 - 600_000, T0 - 300_000);
        assertThat(read.headFromMs).isEqualTo(T0);
        // written back from the bodies kept as read, and from bodies encoded as the samples were put: the same bytes
        assertThat(StateCodec.seenWindow(read)).isEqualTo(before);
        assertThat(StateCodec.seenWindow(fixtureWindow())).isEqualTo(before);
        // a window read from the store takes new samples after the ones it read
        read.put(T0 + 3_000, seen(T0 + 3_000, 5, "llm-train", "ml", 77));
        read.put(T0 + 500, seen(T0 + 500, 6, "new-job", null, 78));
        NavigableMap<Long, StateCodec.Seen> expected = fixtureSamples();
        expected.put(T0 + 3_000, seen(T0 + 3_000, 5, "llm-train", "ml", 77));
        expected.put(T0 + 500, seen(T0 + 500, 6, "new-job", null, 78));
        assertThat(StateCodec.seenWindow(StateCodec.seenWindow(read)).samples()).isEqualTo(expected);
    }

    /**
     * Random puts (in order, out of order, corrections of a time held), spills and prunes on a head, its value now and
     * then written and read back as the live one (as after a cache eviction): every time put is found, with the last
     * thing put for it, in the head or the chunk it spilled to, until pruned; every value read back equals its window.
     */
    @Test
    void randomPutsSpillsAndPrunesFindWhatAPlainMapFinds() {
        Random random = new Random(14);
        for (int round = 0; round < 20; round++) {
            SeenWindow head = SeenWindow.empty();
            List<SeenWindow> chunks = new ArrayList<>();
            NavigableMap<Long, StateCodec.Seen> model = new TreeMap<>();
            long newest = 0;
            long cutoff = Long.MIN_VALUE;
            for (int op = 0; op < 400; op++) {
                long t;
                int kind = random.nextInt(10);
                if (kind < 6 || model.isEmpty()) {
                    newest += 1 + random.nextInt(3_000);
                    t = newest;
                } else if (kind < 8) {
                    t = model.ceilingKey(model.firstKey() + (long) (random.nextDouble() * (newest - model.firstKey())));
                } else {
                    t = Math.max(cutoff, newest - random.nextInt(100_000));
                }
                // a few workloads, sometimes a new one (a job that changed)
                String workload = random.nextInt(20) == 0 ? "job-" + op : "job-" + random.nextInt(3);
                StateCodec.Seen s = seen(t, random.nextLong(), workload, random.nextBoolean() ? "team-" + random.nextInt(2) : null,
                        random.nextInt(1_000_000));
                model.put(t, s);
                if (head.headCovers(t)) {
                    head.put(t, s);
                    SeenWindow c = head.spill();
                    if (c != null) {
                        ids.put(c, c.time(0));
                        chunks.add(c);
                    }
                } else {
                    long id = head.chunkFor(t);
                    chunks.stream().filter(c -> chunkId(c) == id).findFirst().orElseThrow().put(t, s);
                }
                if (random.nextInt(25) == 0) {
                    cutoff = newest - 60_000;
                    long[] gone = head.pruneBefore(cutoff);
                    for (long id : gone) {
                        assertThat(chunks.removeIf(c -> chunkId(c) == id)).isTrue();
                    }
                    model.headMap(cutoff, false).clear();
                }
                if (random.nextInt(7) == 0) {
                    head = roundTrip(head);
                }
                if (random.nextInt(7) == 0 && !chunks.isEmpty()) {
                    int i = random.nextInt(chunks.size());
                    chunks.set(i, roundTrip(chunks.get(i)));
                }
            }
            for (Map.Entry<Long, StateCodec.Seen> e : model.entrySet()) {
                long t = e.getKey();
                long id = head.headCovers(t) ? Long.MIN_VALUE : head.chunkFor(t);
                SeenWindow home = id == Long.MIN_VALUE ? head
                        : chunks.stream().filter(c -> chunkId(c) == id).findFirst().orElseThrow();
                assertThat(home.get(t)).as("sample at %d", t).isEqualTo(e.getValue());
            }
            assertThat(head.get(newest + 1)).isNull();
            assertThat(roundTrip(head).samples()).isEqualTo(head.samples());
        }
    }

    /** A chunk's id: its first time when spilled (the head lists it); an earlier sample put in it later does not move it. */
    private final Map<SeenWindow, Long> ids = new java.util.IdentityHashMap<>();

    private long chunkId(SeenWindow c) {
        return ids.get(c);
    }

    private SeenWindow roundTrip(SeenWindow w) {
        SeenWindow back = StateCodec.seenWindow(StateCodec.seenWindow(w));
        assertThat(back.samples()).isEqualTo(w.samples());
        assertThat(back.chunks).containsExactly(w.chunks);
        assertThat(back.headFromMs).isEqualTo(w.headFromMs);
        Long id = ids.get(w);
        if (id != null) {
            ids.put(back, id);
        }
        return back;
    }

    @Test
    void aGpuWhoseWorkloadsKeepChangingKeepsItsTableOfNamesSmall() {
        SeenWindow head = SeenWindow.empty();
        int mostUsed = 0;
        for (int i = 0; i < 2_000; i++) {
            long t = 1_000L * i;
            // a new job every third sample, teams taking turns: 672 names in all
            head.put(t, seen(t, i, "job-" + i / 3, "team-" + i % 5, i));
            mostUsed = Math.max(mostUsed, namesUsed(head));
            SeenWindow chunk = head.spill();
            if (chunk != null) {
                // a chunk is written once: its table holds its own samples' names only
                assertThat(StateCodec.seenWindow(StateCodec.seenWindow(chunk)).names().size()).isEqualTo(namesUsed(chunk));
            }
            head.pruneBefore(t - 40_000);
            // names no sample uses any more are dropped when the table has grown past twice those used, plus 8
            assertThat(head.names().size()).as("names after sample %d", i).isLessThan(2 * mostUsed + 8);
        }
        assertThat(roundTrip(head).samples()).isEqualTo(head.samples());
    }

    private static int namesUsed(SeenWindow w) {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (StateCodec.Seen s : w.samples().values()) {
            for (SampleCosting.Piece p : s.pieces()) {
                names.add(p.part().workload());
                if (p.part().team() != null) {
                    names.add(p.part().team());
                }
            }
        }
        return names.size();
    }

    @Test
    void aValueWhoseTimesDoNotAscendOrWhoseNamesAreMissingIsRefused() {
        // the second sample's time delta (1,000 ms: zig-zag 2,000 = d0 0f) made 0: the same time twice
        byte[] sameTime = HexFormat.of().parseHex(WRITTEN_BEFORE.replace("d00f9e3779b97f4a7c15", "009e3779b97f4a7c15"));
        assertThatThrownBy(() -> StateCodec.seenWindow(sameTime)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("not after the one before");
        // the first sample's workload (index 0, after its hash -7, energy 0, one piece, minute -60,000) made 4: the table
        // holds 4 names
        byte[] noName = HexFormat.of().parseHex(WRITTEN_BEFORE.replace("fffffffffffffff90002bfa9070004", "fffffffffffffff90002bfa9070804"));
        assertThatThrownBy(() -> StateCodec.seenWindow(noName)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("name 4 of 4");
    }
}
