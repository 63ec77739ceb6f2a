package costline.collectors.nvml;

import costline.collectors.SampleSink;
import costline.collectors.attribution.Attributor;
import costline.collectors.attribution.GpuProcess;
import costline.collectors.attribution.GpuView;
import costline.events.GpuSample;
import costline.events.WorkloadShare;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-prem collector: every interval, reads every GPU (NvmlReader), attributes its processes (Attributor),
 * builds one GpuSample per GPU (SampleBuilder) and hands it to a SampleSink. The energy counter and health
 * counters are read on their own, slower cadences.
 */
public final class NvmlCollector implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NvmlCollector.class);

    private final NvmlReader reader;
    private final Attributor attributor;
    private final SampleBuilder builder;
    private final NvmlSettings settings;
    private final Map<Integer, Long> lastReadAt = new HashMap<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private long lastEnergyNanos;
    private long lastHealthNanos;
    private boolean first = true;

    public NvmlCollector(NvmlReader reader, Attributor attributor, NvmlSettings settings) {
        this.reader = reader;
        this.attributor = attributor;
        this.settings = settings;
        this.builder = new SampleBuilder(settings.host());
    }

    /** One round: one sample per GPU. The first round reads the slow counters too. */
    public synchronized List<GpuSample> pollOnce() {
        long now = System.nanoTime();
        boolean energy = first || now - lastEnergyNanos >= settings.energyInterval().toNanos();
        boolean health = first || now - lastHealthNanos >= settings.healthInterval().toNanos();
        first = false;
        if (energy) {
            lastEnergyNanos = now;
        }
        if (health) {
            lastHealthNanos = now;
        }
        List<GpuReading> readings = reader.read(energy, health);
        List<GpuSample> samples = new ArrayList<>(readings.size());
        Set<Integer> livePids = new HashSet<>();
        for (GpuReading r : readings) {
            List<GpuProcess> processes = new ArrayList<>(r.processes().size());
            for (GpuReading.ProcessReading p : r.processes()) {
                Double sm = r.processSmUtil() == null ? null : r.processSmUtil().getOrDefault(p.pid(), 0.0);
                processes.add(new GpuProcess(p.pid(), p.usedMemoryBytes(), sm, p.gpuInstanceId(),
                        p.computeInstanceId()));
                livePids.add(p.pid());
            }
            List<GpuView.MigSlice> mig = new ArrayList<>(r.migInstances().size());
            for (GpuReading.MigReading m : r.migInstances()) {
                mig.add(new GpuView.MigSlice(m.uuid(), m.gpuInstanceId(), m.computeInstanceId(), m.slices()));
            }
            List<WorkloadShare> shares = attributor.attribute(new GpuView(r.uuid(), processes, mig,
                    r.migTotalSlices()));
            Long previous = lastReadAt.put(r.index(), r.readAtMillis());
            long intervalMs = previous == null ? settings.interval().toMillis()
                    : Math.max(1, r.readAtMillis() - previous);
            samples.add(builder.build(r, intervalMs, shares));
        }
        attributor.chain().retainOnly(livePids);
        return samples;
    }

    /**
     * Polls every interval until {@link #stop()}, handing each sample to {@code sink}. A round that fails
     * unexpectedly is logged and the next one runs on time; rounds that fall behind are skipped, not bunched.
     */
    public void run(SampleSink sink) throws InterruptedException {
        running.set(true);
        long intervalNanos = settings.interval().toNanos();
        long next = System.nanoTime();
        while (running.get()) {
            try {
                for (GpuSample sample : pollOnce()) {
                    sink.accept(sample);
                }
            } catch (RuntimeException e) {
                log.error("collection round failed; the next round runs on schedule", e);
            }
            next += intervalNanos;
            long wait = next - System.nanoTime();
            if (wait < 0) {
                long behind = -wait / intervalNanos + 1;
                log.warn("collector fell {} round(s) behind; skipping them", behind);
                next += behind * intervalNanos;
                wait = next - System.nanoTime();
            }
            TimeUnit.NANOSECONDS.sleep(Math.max(0, wait));
        }
    }

    public void stop() {
        running.set(false);
    }

    @Override
    public synchronized void close() {
        stop();
        reader.close();
        attributor.chain().close();
    }
}
