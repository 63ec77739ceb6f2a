package costline.streams.cost;

import java.util.Arrays;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One value of the de-duplication store ({@link SeenSamples}): the samples of one GPU costed within the de-duplication
 * window, by sample time, with what each was costed at ({@link StateCodec.Seen}).
 *
 * <p>A GPU's newest samples are in its <em>head</em> (key: the GPU id), which also lists the GPU's <em>chunks</em>: when the
 * head holds more than {@link #SPILL_AT} samples its oldest {@link #CHUNK} move to a chunk (key: GPU id, its first sample
 * time), which is then left alone (an out-of-order sample or a correction in its time range rewrites it). So a commit
 * writes one head per GPU sampled since the last one, of at most {@link #SPILL_AT} samples, whatever the GPU's sample
 * rate: a GPU sampled every second does not rewrite an hour of samples (3,600) at every commit. Chunk {@code i} covers
 * the times from its id up to the next chunk's id (the first one from the earliest time), the head from
 * {@link #headFromMs} on.
 */
final class SeenWindow {

    /** Samples a chunk takes from the head. */
    static final int CHUNK = 16;
    /** The head spills a chunk beyond this many samples. */
    static final int SPILL_AT = 2 * CHUNK;

    /** Sample time -> what it was costed at. */
    final NavigableMap<Long, StateCodec.Seen> samples;
    /** Head only: the ids (first sample times) of the GPU's chunks, ascending. */
    long[] chunks;
    /** Head only: the head covers the times from here ({@link Long#MIN_VALUE} while the GPU has no chunk). */
    long headFromMs;

    SeenWindow(NavigableMap<Long, StateCodec.Seen> samples, long[] chunks, long headFromMs) {
        this.samples = samples;
        this.chunks = chunks;
        this.headFromMs = headFromMs;
    }

    static SeenWindow empty() {
        return new SeenWindow(new TreeMap<>(), new long[0], Long.MIN_VALUE);
    }

    /** The newest sample time held, or {@link Long#MIN_VALUE} when empty (for the expiry of GPUs no longer sampled). */
    long newestMs() {
        return samples.isEmpty() ? Long.MIN_VALUE : samples.lastKey();
    }

    /** Whether the head covers {@code t} (else the chunk {@link #chunkFor} does). */
    boolean headCovers(long t) {
        return chunks.length == 0 || t >= headFromMs;
    }

    /** The id of the chunk that covers {@code t}, which the head does not. */
    long chunkFor(long t) {
        int i = Arrays.binarySearch(chunks, t);
        // not found: the chunk before the insertion point; before the first chunk's id, the first chunk
        int at = i >= 0 ? i : Math.max(0, -i - 2);
        return chunks[at];
    }

    /**
     * Moves the head's oldest {@link #CHUNK} samples to a new chunk when it holds more than {@link #SPILL_AT}; returns
     * the chunk (its id is its first sample time), or null.
     */
    SeenWindow spill() {
        if (samples.size() <= SPILL_AT) {
            return null;
        }
        TreeMap<Long, StateCodec.Seen> moved = new TreeMap<>();
        for (int i = 0; i < CHUNK; i++) {
            Map.Entry<Long, StateCodec.Seen> e = samples.pollFirstEntry();
            moved.put(e.getKey(), e.getValue());
        }
        long id = moved.firstKey();
        chunks = Arrays.copyOf(chunks, chunks.length + 1);
        chunks[chunks.length - 1] = id;
        headFromMs = samples.firstKey();
        return new SeenWindow(moved, new long[0], Long.MIN_VALUE);
    }

    /**
     * Forgets the head's samples before {@code cutoffMs} and the chunks that end at or before it; returns the ids of
     * those chunks (their entries are to be deleted). Nothing before the cutoff is asked for again: such a sample is
     * refused as too late before the de-duplication.
     */
    long[] pruneBefore(long cutoffMs) {
        samples.headMap(cutoffMs, false).clear();
        int gone = 0;
        while (gone < chunks.length && chunkEnd(gone) <= cutoffMs) {
            gone++;
        }
        if (gone == 0) {
            return new long[0];
        }
        long[] dropped = Arrays.copyOf(chunks, gone);
        chunks = Arrays.copyOfRange(chunks, gone, chunks.length);
        if (chunks.length == 0) {
            headFromMs = Long.MIN_VALUE;
        }
        return dropped;
    }

    /** Where chunk {@code i}'s time range ends (exclusive). */
    private long chunkEnd(int i) {
        return i + 1 < chunks.length ? chunks[i + 1] : headFromMs;
    }
}
