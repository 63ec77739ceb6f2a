package costline.streams.cost;

import java.util.Arrays;
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
 *
 * <p>The samples are kept in time order in arrays (a look-up is a binary search over the times, a new sample is
 * appended), each as its encoded body ({@link StateCodec#seenBody}), encoded once, when it is put, against the
 * window's table of names ({@link SeenNames}): a commit writes the head by copying its samples' bodies
 * ({@link StateCodec#seenWindow}) instead of encoding every sample of the head again (at 1 Hz and a commit every
 * 500 ms a sample was encoded some four times, its names hashed each time).
 */
final class SeenWindow {

    /** Samples a chunk takes from the head. */
    static final int CHUNK = 16;
    /** The head spills a chunk beyond this many samples. */
    static final int SPILL_AT = 2 * CHUNK;
    /** Names the table may grow by, beyond twice those in use at its last rebuild, before it is rebuilt. */
    private static final int NAMES_SLACK = 8;

    /** Sample times, ascending, in [0, size). */
    private long[] times;
    /**
     * Each sample's body as {@link StateCodec#seenBody} encoded it against {@link #names}: all that is kept of it (a
     * look-up that finds the sample decodes it), some 30 bytes instead of its decoded pieces.
     */
    private byte[][] bodies;
    private int size;
    /** The bodies' bytes in all (sizes the value's encoding). */
    private int bodyBytes;
    private SeenNames names;
    /** Names in the table at its last rebuild (or when decoded). */
    private int namesRebuiltAt;
    /** Head only: the ids (first sample times) of the GPU's chunks, ascending. */
    long[] chunks;
    /** Head only: the head covers the times from here ({@link Long#MIN_VALUE} while the GPU has no chunk). */
    long headFromMs;

    private SeenWindow(long[] times, byte[][] bodies, int size, SeenNames names, long[] chunks, long headFromMs) {
        this.times = times;
        this.bodies = bodies;
        this.size = size;
        this.names = names;
        this.namesRebuiltAt = names.size();
        this.chunks = chunks;
        this.headFromMs = headFromMs;
        for (int i = 0; i < size; i++) {
            bodyBytes += bodies[i].length;
        }
    }

    static SeenWindow empty() {
        return new SeenWindow(new long[4], new byte[4][], 0, new SeenNames(), new long[0], Long.MIN_VALUE);
    }

    /**
     * A decoded value: {@code n} samples in strictly ascending time order, each with the body it was read from (its
     * name indexes into {@code names}).
     */
    static SeenWindow decoded(long[] times, byte[][] bodies, int n, SeenNames names, long[] chunks, long headFromMs) {
        return new SeenWindow(times, bodies, n, names, chunks, headFromMs);
    }

    int size() {
        return size;
    }

    long time(int i) {
        return times[i];
    }

    byte[] body(int i) {
        return bodies[i];
    }

    int bodyBytes() {
        return bodyBytes;
    }

    SeenNames names() {
        return names;
    }

    /** What was remembered of the sample at {@code t} (decoded from its body: a duplicate or a correction), or null. */
    StateCodec.Seen get(long t) {
        int i = Arrays.binarySearch(times, 0, size, t);
        return i >= 0 ? StateCodec.seenOfBody(t, bodies[i], names) : null;
    }

    /** Remembers the sample at {@code t} (replacing what was remembered of it). */
    void put(long t, StateCodec.Seen s) {
        byte[] body = StateCodec.seenBody(t, s, names);
        // the usual case: newer than every sample held
        int i = size == 0 || t > times[size - 1] ? -size - 1 : Arrays.binarySearch(times, 0, size, t);
        if (i >= 0) {
            bodyBytes += body.length - bodies[i].length;
            bodies[i] = body;
        } else {
            insert(-i - 1, t, body);
        }
        if (names.size() >= 2 * namesRebuiltAt + NAMES_SLACK) {
            rebuildNames();
        }
    }

    private void insert(int at, long t, byte[] body) {
        if (size == times.length) {
            int capacity = Math.max(4, 2 * size);
            times = Arrays.copyOf(times, capacity);
            bodies = Arrays.copyOf(bodies, capacity);
        }
        System.arraycopy(times, at, times, at + 1, size - at);
        System.arraycopy(bodies, at, bodies, at + 1, size - at);
        times[at] = t;
        bodies[at] = body;
        size++;
        bodyBytes += body.length;
    }

    /**
     * A table of the names the samples use, their bodies encoded again against it: names only get added (a GPU whose
     * workloads change keeps the old ones' names), so the table is rebuilt when it has grown past twice the names in
     * use at its last rebuild, plus {@link #NAMES_SLACK} (never while a GPU's workloads stay the same).
     */
    private void rebuildNames() {
        SeenNames old = names;
        names = new SeenNames();
        bodyBytes = 0;
        for (int i = 0; i < size; i++) {
            bodies[i] = StateCodec.seenBody(times[i], StateCodec.seenOfBody(times[i], bodies[i], old), names);
            bodyBytes += bodies[i].length;
        }
        namesRebuiltAt = names.size();
    }

    /** The samples by time: a copy (to inspect a value). */
    NavigableMap<Long, StateCodec.Seen> samples() {
        TreeMap<Long, StateCodec.Seen> m = new TreeMap<>();
        for (int i = 0; i < size; i++) {
            m.put(times[i], StateCodec.seenOfBody(times[i], bodies[i], names));
        }
        return m;
    }

    /** The newest sample time held, or {@link Long#MIN_VALUE} when empty (for the expiry of GPUs no longer sampled). */
    long newestMs() {
        return size == 0 ? Long.MIN_VALUE : times[size - 1];
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
     * the chunk (its id is its first sample time), or null. The chunk keeps the samples' bodies and a copy of the
     * head's table of names, unless the table holds names none of them uses (then its own table, bodies encoded again).
     */
    SeenWindow spill() {
        if (size <= SPILL_AT) {
            return null;
        }
        byte[][] movedBodies = Arrays.copyOf(bodies, CHUNK);
        SeenWindow chunk = new SeenWindow(Arrays.copyOf(times, CHUNK), movedBodies, CHUNK, names.copy(), new long[0],
                Long.MIN_VALUE);
        if (!StateCodec.useAllNames(movedBodies, CHUNK, names.size())) {
            chunk.rebuildNames(); // a chunk is written once: without the names of the head's other samples
        }
        long id = times[0];
        removeFirst(CHUNK);
        chunks = Arrays.copyOf(chunks, chunks.length + 1);
        chunks[chunks.length - 1] = id;
        headFromMs = times[0];
        return chunk;
    }

    /**
     * Forgets the head's samples before {@code cutoffMs} and the chunks that end at or before it; returns the ids of
     * those chunks (their entries are to be deleted). Nothing before the cutoff is asked for again: such a sample is
     * refused as too late before the de-duplication.
     */
    long[] pruneBefore(long cutoffMs) {
        if (size > 0 && times[0] < cutoffMs) {
            int keep = Arrays.binarySearch(times, 0, size, cutoffMs);
            removeFirst(keep >= 0 ? keep : -keep - 1);
        }
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

    private void removeFirst(int n) {
        for (int i = 0; i < n; i++) {
            bodyBytes -= bodies[i].length;
        }
        size -= n;
        System.arraycopy(times, n, times, 0, size);
        System.arraycopy(bodies, n, bodies, 0, size);
        Arrays.fill(bodies, size, size + n, null);
    }

    /** Where chunk {@code i}'s time range ends (exclusive). */
    private long chunkEnd(int i) {
        return i + 1 < chunks.length ? chunks[i + 1] : headFromMs;
    }
}
