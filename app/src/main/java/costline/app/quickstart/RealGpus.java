package costline.app.quickstart;

import costline.collectors.attribution.AttributionSettings;
import costline.collectors.nvml.NvmlCollector;
import costline.collectors.nvml.NvmlReader;
import costline.collectors.nvml.NvmlSettings;
import costline.collectors.nvml.NvmlUnavailableException;
import costline.events.GpuSample;
import java.io.PrintStream;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * This machine's real GPUs, when NVML loads here, joining the simulated fleet: each simulated round takes a live
 * reading of every GPU through the real collector and stamps it with the simulated time and interval. The energy
 * counter is left out (its delta covers real seconds, not simulated minutes): energy is power x interval.
 */
final class RealGpus implements AutoCloseable {

    private final NvmlCollector collector;

    private RealGpus(NvmlCollector collector) {
        this.collector = collector;
    }

    /** The real GPUs, or empty when NVML is not installed (the usual laptop): the simulation runs alone. */
    static Optional<RealGpus> tryOpen(String library, PrintStream out) {
        NvmlReader reader;
        try {
            reader = NvmlReader.open(library);
        } catch (NvmlUnavailableException e) {
            return Optional.empty();
        }
        String host = hostName();
        NvmlCollector collector = new NvmlCollector(reader, AttributionSettings.defaults().build(host),
                new NvmlSettings(library, NvmlSettings.DEFAULT_INTERVAL,
                NvmlSettings.DEFAULT_ENERGY_INTERVAL, NvmlSettings.DEFAULT_HEALTH_INTERVAL, host));
        out.println("NVML: " + reader.deviceCount() + " real GPU(s) on " + host + " join the simulated fleet");
        return Optional.of(new RealGpus(collector));
    }

    /** One live reading of every GPU, as samples of the simulated round ending at {@code end}. */
    List<GpuSample> round(Instant end, Duration interval) {
        List<GpuSample> samples = new ArrayList<>();
        for (GpuSample live : collector.pollOnce()) {
            samples.add(GpuSample.newBuilder(live).setSampleTime(end).setIntervalMs(interval.toMillis())
                    .setEnergyCounterMj(null).build());
        }
        return samples;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }

    @Override
    public void close() {
        collector.close();
    }
}
