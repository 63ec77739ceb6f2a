package costline.streams.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.util.List;

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
}
