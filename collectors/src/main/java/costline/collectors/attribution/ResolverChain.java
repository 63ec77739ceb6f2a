package costline.collectors.attribution;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Asks each resolver in turn; the first answer wins, and a process no resolver names is
 * {@link Workload#UNATTRIBUTED}. Answers are cached per (pid, GPU) and kept while the same process lives
 * (its start time, checked every 10 s, tells it from a later process that reuses the pid), so /proc is read once
 * per process, not once per sample.
 */
public final class ResolverChain implements AutoCloseable {

    private final List<WorkloadResolver> resolvers;
    private final Path procRoot;
    /**
     * How long an answer is trusted before the process's start time is checked again. A pid that leaves the GPU's
     * process list is forgotten at once ({@link #retainOnly}); this only bounds the case of a pid reused by another
     * GPU process within one interval, while keeping /proc reads off the per-sample path.
     */
    static final long REVALIDATE_NANOS = 10_000_000_000L;

    private final Map<Key, Cached> cache = new HashMap<>();
    private long seenGeneration;

    public ResolverChain(List<WorkloadResolver> resolvers, Path procRoot) {
        this.resolvers = List.copyOf(resolvers);
        this.procRoot = procRoot;
    }

    public List<WorkloadResolver> resolvers() {
        return resolvers;
    }

    public synchronized Workload resolve(int pid, String gpuUuid) {
        dropStaleAnswers();
        Key key = new Key(pid, gpuUuid);
        Cached cached = cache.get(key);
        long now = System.nanoTime();
        if (cached != null && now - cached.checkedAtNanos < REVALIDATE_NANOS) {
            return cached.workload;
        }
        long start = ProcFiles.startTime(procRoot, pid).orElse(-1L);
        if (cached != null && cached.startTime == start && start != -1) {
            cache.put(key, new Cached(start, cached.workload, now));
            return cached.workload;
        }
        Workload workload = resolveUncached(pid, gpuUuid);
        cache.put(key, new Cached(start, workload, now));
        return workload;
    }

    /** The holders of a device that runs no process, from the first resolver that knows them; empty if none does. */
    public synchronized List<Workload> holders(String deviceUuid) {
        for (WorkloadResolver resolver : resolvers) {
            List<Workload> found = resolver.holders(deviceUuid);
            if (!found.isEmpty()) {
                return found;
            }
        }
        return List.of();
    }

    /** A resolver whose view changed (a pod came or went) may now answer differently: forget every cached answer. */
    private void dropStaleAnswers() {
        long generation = 0;
        for (WorkloadResolver resolver : resolvers) {
            generation = generation * 31 + resolver.generation();
        }
        if (generation != seenGeneration) {
            seenGeneration = generation;
            cache.clear();
        }
    }

    private Workload resolveUncached(int pid, String gpuUuid) {
        for (WorkloadResolver resolver : resolvers) {
            Optional<Workload> found = resolver.resolve(pid, gpuUuid);
            if (found.isPresent()) {
                return found.get();
            }
        }
        return new Workload(Workload.UNATTRIBUTED, null);
    }

    /** Forgets processes that are no longer on any GPU, so the cache stays as small as the process list. */
    public synchronized void retainOnly(Set<Integer> livePids) {
        cache.keySet().removeIf(k -> !livePids.contains(k.pid));
    }

    /** Closes resolvers that hold connections or threads (the Kubernetes one). */
    @Override
    public void close() {
        for (WorkloadResolver resolver : resolvers) {
            if (resolver instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    // closing at exit: nothing left to do with the error
                }
            }
        }
    }

    private record Key(int pid, String gpuUuid) {
    }

    private record Cached(long startTime, Workload workload, long checkedAtNanos) {
    }
}
