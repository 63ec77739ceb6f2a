package costline.collectors.kubernetes;

import costline.collectors.attribution.CgroupResolver;
import costline.collectors.attribution.EnvironResolver;
import costline.collectors.attribution.Workload;
import costline.collectors.attribution.WorkloadResolver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names the pod of a GPU process from the kubelet: which pods hold the GPU (whole, as a time-slicing replica
 * {@code <uuid>::<n>}, or a MIG device), and, where several pods share it, which of them the process is in.
 *
 * <p>The process's pod is told by its cgroup's pod UID (matched to a pod through the API server), else by its
 * {@code HOSTNAME} (the pod name, unless the pod sets another hostname or runs on the host network); a GPU held by one
 * pod needs neither. A process in a pod that does not hold the device, or one of several pods the resolver cannot
 * tell apart, is left to the next resolver of the chain.
 *
 * <p>The kubelet is listed in the background every {@code refresh}, and at once (at most once a second) when a
 * process the chain has not seen appears (that round waits up to {@link #WAIT_ON_UNKNOWN} for the list, so a new
 * pod is attributed in the round its process shows up) or the API server reports an event about this node's pods. A kubelet that is missing, slow or garbled never stops sampling: the last
 * good answer is used and the chain falls through for devices it does not cover.
 */
public final class KubernetesResolver implements WorkloadResolver, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KubernetesResolver.class);
    /** The longest a round waits for the kubelet when a process runs on a device no pod was known to hold. */
    static final Duration WAIT_ON_UNKNOWN = Duration.ofMillis(100);
    /** Lists triggered by unknown devices are at least this far apart. */
    static final long MIN_TRIGGER_GAP_NANOS = 1_000_000_000L;

    private final KubeletSource kubelet;
    private final PodDirectory pods;
    private final WorkloadNaming naming;
    private final Path procRoot;
    private final ScheduledExecutorService worker;
    private final AtomicReference<CompletableFuture<Void>> inFlight = new AtomicReference<>();
    private final AtomicLong snapshotGeneration = new AtomicLong();
    private final Map<String, List<Workload>> holdersCache = new ConcurrentHashMap<>();
    private volatile KubeletSnapshot snapshot = KubeletSnapshot.EMPTY;
    private volatile long cachedGeneration = -1;
    private volatile long lastTriggerNanos = System.nanoTime() - MIN_TRIGGER_GAP_NANOS;
    private volatile boolean failing;
    private volatile long lastListNanos;
    private volatile long seenPodChanges;

    public KubernetesResolver(KubeletSource kubelet, PodDirectory pods, WorkloadNaming naming, Path procRoot,
                              Duration refresh) {
        this.kubelet = kubelet;
        this.pods = pods;
        this.naming = naming;
        this.procRoot = procRoot;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kubernetes-resolver");
            t.setDaemon(true);
            return t;
        });
        refreshNow();
        worker.scheduleWithFixedDelay(this::refreshNow, refresh.toNanos(), refresh.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public String name() {
        return "kubernetes";
    }

    /** The kubelet's last good answer. */
    public KubeletSnapshot snapshot() {
        return snapshot;
    }

    @Override
    public Optional<Workload> resolve(int pid, String device) {
        // A process the chain has not seen (a new pod, or a new pod on a GPU another pod just left): answer from a
        // list at most a second old, waiting for it up to WAIT_ON_UNKNOWN. Known processes never come here (the
        // chain caches their answers), so this costs nothing at steady state.
        if (System.nanoTime() - lastListNanos > MIN_TRIGGER_GAP_NANOS) {
            awaitRefresh(trigger());
        }
        List<PodRef> holders = snapshot.pods(device);
        if (holders.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> uid = CgroupResolver.podUid(procRoot, pid);
        if (uid.isPresent()) {
            Optional<PodInfo> info = pods.byUid(uid.get());
            if (info.isPresent()) {
                // the API server names the process's pod: it is the holder's, or not the holders' at all
                return holders.contains(info.get().ref()) ? Optional.of(naming.name(info.get().ref(), info))
                        : Optional.empty();
            }
        }
        PodRef pod = null;
        if (holders.size() == 1) {
            pod = holders.get(0);
        } else {
            String hostname = EnvironResolver.variable(procRoot, pid, "HOSTNAME").orElse(null);
            List<PodRef> named = holders.stream().filter(h -> h.name().equals(hostname)).toList();
            pod = named.size() == 1 ? named.get(0) : null; // the same name in two namespaces: cannot tell
        }
        if (pod == null) {
            return Optional.empty();
        }
        return Optional.of(naming.name(pod, pods.byRef(pod)));
    }

    @Override
    public List<Workload> holders(String device) {
        // An idle GPU no pod holds is the steady state of many nodes: listing the kubelet for it every round would
        // cost more than sampling. A pod event from the API server (a pod scheduled here, started, ended) is what
        // says the devices may have changed; without the API server the periodic list notices it.
        long podChanges = pods.changes();
        if (podChanges != seenPodChanges) {
            seenPodChanges = podChanges;
            trigger();
        }
        long generation = generation();
        if (generation != cachedGeneration) {
            holdersCache.clear();
            cachedGeneration = generation;
        }
        List<Workload> cached = holdersCache.get(device);
        if (cached != null) {
            return cached;
        }
        List<PodRef> refs = snapshot.pods(device);
        if (refs.isEmpty()) {
            return List.of();
        }
        List<Workload> named = new ArrayList<>(refs.size());
        for (PodRef ref : refs) {
            named.add(naming.name(ref, pods.byRef(ref)));
        }
        List<Workload> result = List.copyOf(named);
        holdersCache.put(device, result);
        return result;
    }

    @Override
    public long generation() {
        return snapshotGeneration.get() * 1_000_003L + pods.generation();
    }

    /** Starts a background list unless one runs or one started within the last second; the list to wait on, if new. */
    private CompletableFuture<Void> trigger() {
        long now = System.nanoTime();
        if (now - lastTriggerNanos < MIN_TRIGGER_GAP_NANOS || inFlight.get() != null) {
            return null;
        }
        lastTriggerNanos = now;
        CompletableFuture<Void> future = new CompletableFuture<>();
        if (!inFlight.compareAndSet(null, future)) {
            return null;
        }
        try {
            worker.execute(() -> {
                try {
                    refreshNow();
                } finally {
                    inFlight.set(null);
                    future.complete(null);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            inFlight.set(null);
            return null;
        }
        return future;
    }

    private static void awaitRefresh(CompletableFuture<Void> refresh) {
        if (refresh == null) {
            return;
        }
        try {
            refresh.get(WAIT_ON_UNKNOWN.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException slow) {
            // the kubelet is slow: this round falls through, the list lands for a later one
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            // refreshNow logs its own failures
        }
    }

    /** Lists the kubelet once; a failure keeps the last good answer and is logged when it starts and ends. */
    private void refreshNow() {
        lastListNanos = System.nanoTime();
        try {
            KubeletSnapshot fresh = kubelet.list();
            if (failing) {
                log.info("the kubelet's PodResources API answers again ({} GPU devices held by pods)",
                        fresh.devices().size());
                failing = false;
            }
            if (!fresh.equals(snapshot)) {
                snapshot = fresh;
                snapshotGeneration.incrementAndGet();
            }
        } catch (KubeletUnavailableException e) {
            if (!failing) {
                log.warn("{}; GPUs keep being sampled, attributed from the last answer ({} devices) and the rest of "
                        + "the chain; retrying every refresh", e.getMessage(), snapshot.devices().size());
                failing = true;
            }
        } catch (RuntimeException e) {
            if (!failing) {
                log.warn("listing the kubelet's pod resources failed; retrying every refresh", e);
                failing = true;
            }
        }
    }

    /** Whether the last list failed. */
    public boolean failing() {
        return failing;
    }

    @Override
    public void close() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pods.close();
        if (kubelet instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                log.debug("closing the kubelet client", e);
            }
        }
    }
}
