package costline.streams.cost;

import costline.streams.runtime.StateCache;

/**
 * The cost topology's de-duplication memory: every sample costed within the de-duplication window, by GPU, with what
 * it was costed at, in the plain key-value store {@link CostTopology#SEEN_STORE_BY_GPU} read and written through a
 * write-back {@link StateCache}: a GPU's samples are decoded once, served from memory, and written once per commit
 * (its head, see {@link SeenWindow}), instead of one window-store record per sample.
 *
 * <p>Keys: the GPU id for the head, {@code <GPU id> SEP <chunk id, 15 digits>} for a chunk. What is older than the
 * cutoff the caller passes (the partition's newest sample time minus the window) is dropped when the GPU is next
 * sampled; a GPU no longer sampled, and a chunk, is deleted whole by the expiry scan once its
 * {@link SeenWindow#newestMs} is behind the window.
 */
final class SeenSamples {

    private final StateCache<SeenWindow> cache;

    SeenSamples(StateCache<SeenWindow> cache) {
        this.cache = cache;
    }

    /** What was remembered of the GPU's sample at {@code t}, or null. */
    StateCodec.Seen get(String gpuId, long t) {
        return lookup(cache::get, gpuId, t);
    }

    /** The same over any reader of the store's values (tests read the store itself). */
    static StateCodec.Seen lookup(java.util.function.Function<String, SeenWindow> values, String gpuId, long t) {
        SeenWindow head = values.apply(gpuId);
        if (head == null) {
            return null;
        }
        if (head.headCovers(t)) {
            return head.get(t);
        }
        SeenWindow chunk = values.apply(chunkKey(gpuId, head.chunkFor(t)));
        return chunk == null ? null : chunk.get(t);
    }

    /**
     * Remembers the GPU's sample at {@code t}; forgets the GPU's samples before {@code cutoffMs} (nothing older is asked
     * for again).
     */
    void put(String gpuId, long t, StateCodec.Seen seen, long cutoffMs) {
        SeenWindow head = cache.get(gpuId);
        if (head == null) {
            head = SeenWindow.empty();
        }
        if (head.headCovers(t)) {
            head.put(t, seen);
            SeenWindow spilled = head.spill();
            if (spilled != null) {
                cache.put(chunkKey(gpuId, spilled.time(0)), spilled);
            }
        } else {
            String key = chunkKey(gpuId, head.chunkFor(t));
            SeenWindow chunk = cache.get(key);
            if (chunk == null) {
                chunk = SeenWindow.empty(); // expired by the scan while the head still listed it
            }
            chunk.put(t, seen);
            cache.put(key, chunk);
        }
        if (cutoffMs != Long.MIN_VALUE) {
            for (long id : head.pruneBefore(cutoffMs)) {
                cache.delete(chunkKey(gpuId, id));
            }
        }
        cache.put(gpuId, head);
    }

    static String chunkKey(String gpuId, long chunkId) {
        return gpuId + SampleProcessor.SEP + SampleProcessor.pad(chunkId);
    }
}
