package costline.collectors.nvml;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import costline.collectors.nvml.GpuReading.HealthReading;
import costline.collectors.nvml.GpuReading.MigReading;
import costline.collectors.nvml.GpuReading.ProcessReading;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every GPU through NVML: the only class that calls {@link NvmlNative}. It returns raw {@link GpuReading}s;
 * mapping them to samples is {@code SampleBuilder}'s job. Not thread-safe: one collector thread owns it (its
 * scratch buffers are reused so that a round allocates little).
 */
public final class NvmlReader implements AutoCloseable {

    /** The versioned name: the driver always installs it, the unversioned .so only comes with dev packages. */
    public static final String DEFAULT_LIBRARY = "libnvidia-ml.so.1";

    private static final Logger log = LoggerFactory.getLogger(NvmlReader.class);

    private final List<Device> devices;
    private final String driverVersion;
    private final long eventSet;
    private final int[] i1 = new int[1];
    private final int[] i2 = new int[1];
    private final int[] i3 = new int[1];
    private final int[] i4 = new int[1];
    private final long[] l1 = new long[1];
    private final int[] utilPair = new int[2];
    private final long[] memory = new long[3];
    private final byte[] text = new byte[NvmlLayout.STRING_BUFFER];
    private final Memory eventData = new Memory(NvmlLayout.EVENT_DATA_SIZE);
    private Memory processBuffer = new Memory(16L * NvmlLayout.PROCESS_INFO_SIZE);
    private Memory utilBuffer = new Memory(64L * NvmlLayout.PROCESS_UTIL_SIZE);
    private final Memory attributes = new Memory(NvmlLayout.DEVICE_ATTRIBUTES_SIZE);
    private final Memory profileInfo = new Memory(NvmlLayout.PROFILE_INFO_SIZE);
    private boolean closed;

    private NvmlReader(List<Device> devices, String driverVersion, long eventSet) {
        this.devices = devices;
        this.driverVersion = driverVersion;
        this.eventSet = eventSet;
    }

    /**
     * Loads NVML ({@code library}: a file name searched like dlopen does, or a path), initializes it and lists the
     * GPUs. Throws {@link NvmlUnavailableException} saying what to install when the library or driver is missing.
     */
    public static NvmlReader open(String library) {
        try {
            NvmlNative.bind(library);
        } catch (UnsatisfiedLinkError e) {
            String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            throw new NvmlUnavailableException("cannot load the NVML library " + library + " (" + why
                    + "). Install the NVIDIA driver, which ships libnvidia-ml.so.1 (Debian: libnvidia-ml1; Ubuntu: "
                    + "libnvidia-compute-<version>; RHEL: nvidia-driver-NVML), or point --nvml-library at the file.",
                    e);
        }
        int rc = NvmlNative.nvmlInit_v2();
        if (rc != NvmlLayout.SUCCESS) {
            throw new NvmlUnavailableException("nvmlInit_v2 failed with " + NvmlErrors.name(rc) + " ("
                    + NvmlNative.nvmlErrorString(rc) + "): the NVIDIA kernel driver is not loaded or does not match "
                    + "the library; check that `nvidia-smi` works on this host (reinstall the driver or reboot after "
                    + "an upgrade).", null);
        }
        try {
            byte[] buffer = new byte[NvmlLayout.STRING_BUFFER];
            String driver = NvmlNative.nvmlSystemGetDriverVersion(buffer, buffer.length) == NvmlLayout.SUCCESS
                    ? cString(buffer) : null;
            int[] count = new int[1];
            rc = NvmlNative.nvmlDeviceGetCount_v2(count);
            if (rc != NvmlLayout.SUCCESS) {
                throw new NvmlUnavailableException("nvmlDeviceGetCount_v2 failed with " + NvmlErrors.name(rc), null);
            }
            long set = createEventSet();
            List<Device> devices = new ArrayList<>();
            for (int i = 0; i < count[0]; i++) {
                devices.add(Device.open(i, set, buffer));
            }
            log.info("NVML {} from {}: {} GPU(s), driver {}", "initialized", library, devices.size(), driver);
            return new NvmlReader(List.copyOf(devices), driver, set);
        } catch (RuntimeException e) {
            NvmlNative.nvmlShutdown();
            throw e;
        }
    }

    private static long createEventSet() {
        long[] set = new long[1];
        int rc = NvmlNative.nvmlEventSetCreate(set);
        if (rc != NvmlLayout.SUCCESS) {
            log.info("XID events unavailable ({}): last_xid stays null", NvmlErrors.name(rc));
            return 0;
        }
        return set[0];
    }

    public String driverVersion() {
        return driverVersion;
    }

    public int deviceCount() {
        return devices.size();
    }

    /**
     * Reads every GPU once. {@code energy} adds the energy counter (about 3.9 ms a call on an H100), {@code health}
     * the ECC and retired-page counters; between those reads the last health counters are repeated. A lost GPU
     * yields a reading marked lost; the others are read as usual.
     */
    public List<GpuReading> read(boolean energy, boolean health) {
        if (closed) {
            throw new IllegalStateException("NVML reader is closed");
        }
        drainXidEvents();
        List<GpuReading> readings = new ArrayList<>(devices.size());
        for (Device device : devices) {
            readings.add(readDevice(device, energy, health));
        }
        return readings;
    }

    private GpuReading readDevice(Device d, boolean readEnergy, boolean readHealth) {
        long now = System.currentTimeMillis();
        if (d.handle == 0) {
            return GpuReading.lost(d.index, d.uuid, d.name, now, d.health, d.openError);
        }
        Map<String, String> errors = new LinkedHashMap<>(0);
        try {
            long h = d.handle;
            Integer utilGpu = null;
            Integer utilMem = null;
            if (ok(NvmlNative.nvmlDeviceGetUtilizationRates(h, utilPair), "nvmlDeviceGetUtilizationRates", errors)) {
                utilGpu = utilPair[0];
                utilMem = utilPair[1];
            }
            Long memUsed = null;
            Long memTotal = null;
            if (ok(NvmlNative.nvmlDeviceGetMemoryInfo(h, memory), "nvmlDeviceGetMemoryInfo", errors)) {
                memTotal = memory[0];
                memUsed = memory[2];
            }
            Integer power = ok(NvmlNative.nvmlDeviceGetPowerUsage(h, i1), "nvmlDeviceGetPowerUsage", errors)
                    ? i1[0] : null;
            Integer temp = ok(NvmlNative.nvmlDeviceGetTemperature(h, NvmlLayout.TEMPERATURE_GPU, i1),
                    "nvmlDeviceGetTemperature", errors) ? i1[0] : null;
            Integer clock = ok(NvmlNative.nvmlDeviceGetClockInfo(h, NvmlLayout.CLOCK_SM, i1),
                    "nvmlDeviceGetClockInfo", errors) ? i1[0] : null;
            Long energy = null;
            if (readEnergy && ok(NvmlNative.nvmlDeviceGetTotalEnergyConsumption(h, l1),
                    "nvmlDeviceGetTotalEnergyConsumption", errors)) {
                energy = l1[0];
            }
            List<ProcessReading> processes = readProcesses(h, errors);
            // Per-process SM use only decides how a shared GPU is split, and it is the dearest call under load
            // (about 2.4 ms on an H100 with a process running, against ~40 us for everything else): one process
            // takes the whole GPU without it.
            Map<Integer, Double> processUtil = processes.size() < 2 ? Map.of() : readProcessUtilization(d, now, errors);
            // MIG mode changes only when an admin reconfigures the GPU, and reading it costs 130-170 us on an H100:
            // read it with the health counters, not every sample.
            if (readHealth || !d.migRead) {
                d.migRead = true;
                d.mig = ok(NvmlNative.nvmlDeviceGetMigMode(h, i1, i2), "nvmlDeviceGetMigMode", errors)
                        ? i1[0] == NvmlLayout.MIG_ENABLE : null;
            }
            Boolean mig = d.mig;
            List<MigReading> migInstances = Boolean.TRUE.equals(mig) ? readMig(h, errors) : List.of();
            if (Boolean.TRUE.equals(mig) && d.migTotalSlices < 0) {
                d.migTotalSlices = readTotalSlices(h); // fixed by the GPU model: read once
            }
            Integer totalSlices = Boolean.TRUE.equals(mig) && d.migTotalSlices > 0 ? d.migTotalSlices : null;
            if (readHealth) {
                d.health = readHealth(h, errors).withXid(d.lastXid);
            } else if (d.lastXid != null) {
                d.health = d.health.withXid(d.lastXid);
            }
            return new GpuReading(d.index, d.uuid, d.name, now, utilGpu, utilMem, memUsed, memTotal, power, energy,
                    temp, clock, processes, processUtil, mig, migInstances, totalSlices, d.health, false, errors);
        } catch (GpuLostException lost) {
            return GpuReading.lost(d.index, d.uuid, d.name, now, d.health, lost.getMessage().split(" ")[0]);
        }
    }

    private List<ProcessReading> readProcesses(long h, Map<String, String> errors) {
        for (int attempt = 0; attempt < 3; attempt++) {
            int capacity = (int) (processBuffer.size() / NvmlLayout.PROCESS_INFO_SIZE);
            i1[0] = capacity;
            int rc = NvmlNative.nvmlDeviceGetComputeRunningProcesses_v3(h, i1, processBuffer);
            if (rc == NvmlLayout.ERROR_INSUFFICIENT_SIZE) {
                // processes started between the calls: grow with headroom and ask again
                processBuffer = new Memory((long) Math.max(i1[0], capacity) * 2 * NvmlLayout.PROCESS_INFO_SIZE);
                continue;
            }
            if (!ok(rc, "nvmlDeviceGetComputeRunningProcesses_v3", errors)) {
                return List.of();
            }
            List<ProcessReading> result = new ArrayList<>(i1[0]);
            for (int i = 0; i < i1[0]; i++) {
                long base = (long) i * NvmlLayout.PROCESS_INFO_SIZE;
                int pid = processBuffer.getInt(base + NvmlLayout.PROCESS_INFO_PID);
                long used = processBuffer.getLong(base + NvmlLayout.PROCESS_INFO_USED_MEMORY);
                int gi = processBuffer.getInt(base + NvmlLayout.PROCESS_INFO_GPU_INSTANCE);
                int ci = processBuffer.getInt(base + NvmlLayout.PROCESS_INFO_COMPUTE_INSTANCE);
                result.add(new ProcessReading(pid, used == NvmlLayout.VALUE_NOT_AVAILABLE ? null : used,
                        gi == NvmlLayout.NO_INSTANCE ? null : gi, ci == NvmlLayout.NO_INSTANCE ? null : ci));
            }
            return result;
        }
        errors.put("nvmlDeviceGetComputeRunningProcesses_v3", NvmlErrors.name(NvmlLayout.ERROR_INSUFFICIENT_SIZE));
        return List.of();
    }

    /** Mean SM utilization per pid over the samples NVML kept since the last round; null if unsupported. */
    private Map<Integer, Double> readProcessUtilization(Device d, long nowMillis, Map<String, String> errors) {
        long lastSeen = d.lastUtilMicros != 0 ? d.lastUtilMicros : (nowMillis - 1000) * 1000;
        for (int attempt = 0; attempt < 3; attempt++) {
            int capacity = (int) (utilBuffer.size() / NvmlLayout.PROCESS_UTIL_SIZE);
            i1[0] = capacity;
            int rc = NvmlNative.nvmlDeviceGetProcessUtilization(d.handle, utilBuffer, i1, lastSeen);
            if (rc == NvmlLayout.ERROR_INSUFFICIENT_SIZE) {
                utilBuffer = new Memory((long) Math.max(i1[0], capacity) * 2 * NvmlLayout.PROCESS_UTIL_SIZE);
                continue;
            }
            if (rc == NvmlLayout.ERROR_NOT_FOUND) {
                return Map.of(); // supported, but no sample since lastSeen: the processes were idle
            }
            if (!ok(rc, "nvmlDeviceGetProcessUtilization", errors)) {
                return null;
            }
            Map<Integer, double[]> sums = new HashMap<>();
            long maxSeen = lastSeen;
            for (int i = 0; i < i1[0]; i++) {
                long base = (long) i * NvmlLayout.PROCESS_UTIL_SIZE;
                int pid = utilBuffer.getInt(base + NvmlLayout.PROCESS_UTIL_PID);
                long ts = utilBuffer.getLong(base + NvmlLayout.PROCESS_UTIL_TIMESTAMP);
                int sm = utilBuffer.getInt(base + NvmlLayout.PROCESS_UTIL_SM);
                double[] acc = sums.computeIfAbsent(pid, p -> new double[2]);
                acc[0] += sm;
                acc[1]++;
                maxSeen = Math.max(maxSeen, ts);
            }
            d.lastUtilMicros = maxSeen;
            Map<Integer, Double> mean = new HashMap<>();
            sums.forEach((pid, acc) -> mean.put(pid, acc[0] / acc[1]));
            return mean;
        }
        errors.put("nvmlDeviceGetProcessUtilization", NvmlErrors.name(NvmlLayout.ERROR_INSUFFICIENT_SIZE));
        return null;
    }

    private List<MigReading> readMig(long h, Map<String, String> errors) {
        if (!ok(NvmlNative.nvmlDeviceGetMaxMigDeviceCount(h, i1), "nvmlDeviceGetMaxMigDeviceCount", errors)) {
            return List.of();
        }
        int max = i1[0];
        List<MigReading> result = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            int rc = NvmlNative.nvmlDeviceGetMigDeviceHandleByIndex(h, i, l1);
            if (rc == NvmlLayout.ERROR_NOT_FOUND) {
                continue; // MIG device slots are sparse
            }
            if (!ok(rc, "nvmlDeviceGetMigDeviceHandleByIndex", errors)) {
                continue;
            }
            long mig = l1[0];
            if (!ok(NvmlNative.nvmlDeviceGetUUID(mig, text, text.length), "nvmlDeviceGetUUID", errors)) {
                continue; // a MIG instance without its UUID cannot be named in the sample
            }
            String uuid = cString(text);
            if (!ok(NvmlNative.nvmlDeviceGetGpuInstanceId(mig, i1), "nvmlDeviceGetGpuInstanceId", errors)) {
                continue;
            }
            int gi = i1[0];
            Integer ci = ok(NvmlNative.nvmlDeviceGetComputeInstanceId(mig, i1), "nvmlDeviceGetComputeInstanceId",
                    errors) ? i1[0] : null;
            Long total = null;
            Long used = null;
            if (ok(NvmlNative.nvmlDeviceGetMemoryInfo(mig, memory), "nvmlDeviceGetMemoryInfo", errors)) {
                total = memory[0];
                used = memory[2];
            }
            // The instance's slices carry its part of the GPU's cost; NVML_ERROR_NOT_SUPPORTED on old drivers (null:
            // the attributor then splits the GPU equally between its instances).
            Integer slices = NvmlNative.nvmlDeviceGetAttributes_v2(mig, attributes) == NvmlLayout.SUCCESS
                    ? attributes.getInt(NvmlLayout.DEVICE_ATTRIBUTES_GPU_INSTANCE_SLICES) : null;
            result.add(new MigReading(uuid, gi, ci, total, used, slices));
        }
        return result;
    }

    /** The slice count of the largest GPU instance profile the GPU offers: its whole size in slices. */
    private int readTotalSlices(long h) {
        int best = 0;
        for (int profile : NvmlLayout.WHOLE_GPU_PROFILES) {
            if (NvmlNative.nvmlDeviceGetGpuInstanceProfileInfo(h, profile, profileInfo) == NvmlLayout.SUCCESS) {
                best = Math.max(best, profileInfo.getInt(NvmlLayout.PROFILE_INFO_SLICE_COUNT));
            }
        }
        return best;
    }

    private HealthReading readHealth(long h, Map<String, String> errors) {
        Long corrected = ok(NvmlNative.nvmlDeviceGetTotalEccErrors(h, NvmlLayout.ECC_CORRECTED,
                NvmlLayout.VOLATILE_ECC, l1), "nvmlDeviceGetTotalEccErrors", errors) ? l1[0] : null;
        Long uncorrected = ok(NvmlNative.nvmlDeviceGetTotalEccErrors(h, NvmlLayout.ECC_UNCORRECTED,
                NvmlLayout.VOLATILE_ECC, l1), "nvmlDeviceGetTotalEccErrors", errors) ? l1[0] : null;
        Long retired = null;
        Boolean pending = null;
        // Row remapping replaced page retirement from Ampere on; older GPUs only offer retired pages.
        if (ok(NvmlNative.nvmlDeviceGetRemappedRows(h, i1, i2, i3, i4), "nvmlDeviceGetRemappedRows", errors)) {
            retired = Integer.toUnsignedLong(i1[0]) + Integer.toUnsignedLong(i2[0]);
            pending = i3[0] != 0;
        } else {
            Long sbe = retiredPageCount(h, NvmlLayout.RETIRED_MULTIPLE_SINGLE_BIT, errors);
            Long dbe = sbe == null ? null : retiredPageCount(h, NvmlLayout.RETIRED_DOUBLE_BIT, errors);
            if (dbe != null) {
                retired = sbe + dbe;
            }
        }
        return new HealthReading(corrected, uncorrected, retired, pending, null);
    }

    /**
     * Retired pages of one cause. Asked with a zero-size buffer, NVML returns the count, with
     * NVML_ERROR_INSUFFICIENT_SIZE when there are pages (their addresses did not fit): both are answers.
     */
    private Long retiredPageCount(long h, int cause, Map<String, String> errors) {
        i1[0] = 0;
        int rc = NvmlNative.nvmlDeviceGetRetiredPages(h, cause, i1, null);
        if (rc == NvmlLayout.ERROR_INSUFFICIENT_SIZE) {
            return Integer.toUnsignedLong(i1[0]);
        }
        return ok(rc, "nvmlDeviceGetRetiredPages", errors) ? Integer.toUnsignedLong(i1[0]) : null;
    }

    /** Takes every pending critical XID event without waiting (timeout 0), remembering the last per GPU. */
    private void drainXidEvents() {
        if (eventSet == 0) {
            return;
        }
        for (int i = 0; i < 1024; i++) {
            int rc = NvmlNative.nvmlEventSetWait_v2(eventSet, eventData, 0);
            if (rc != NvmlLayout.SUCCESS) {
                return; // NVML_ERROR_TIMEOUT: nothing pending
            }
            long device = eventData.getLong(NvmlLayout.EVENT_DATA_DEVICE);
            long type = eventData.getLong(NvmlLayout.EVENT_DATA_TYPE);
            if ((type & NvmlLayout.EVENT_TYPE_XID_CRITICAL_ERROR) == 0) {
                continue;
            }
            int xid = (int) eventData.getLong(NvmlLayout.EVENT_DATA_DATA);
            for (Device d : devices) {
                if (d.handle == device) {
                    d.lastXid = xid;
                    log.warn("GPU {} ({}) reported XID {}", d.index, d.uuid, xid);
                }
            }
        }
    }

    /**
     * True on success. NOT_SUPPORTED gives false quietly (the reading is null); a lost GPU aborts the device's
     * round; any other error is kept by function name so it shows in the sample's health detail.
     */
    private static boolean ok(int rc, String function, Map<String, String> errors) {
        if (rc == NvmlLayout.SUCCESS) {
            return true;
        }
        if (rc == NvmlLayout.ERROR_GPU_IS_LOST) {
            throw new GpuLostException(function);
        }
        if (rc != NvmlLayout.ERROR_NOT_SUPPORTED) {
            errors.put(function, NvmlErrors.name(rc));
        }
        return false;
    }

    static String cString(byte[] buffer) {
        int end = 0;
        while (end < buffer.length && buffer[end] != 0) {
            end++;
        }
        return new String(buffer, 0, end, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (eventSet != 0) {
                NvmlNative.nvmlEventSetFree(eventSet);
            }
            NvmlNative.nvmlShutdown();
        }
    }

    /** One GPU's handle, identity and the state kept between rounds. */
    private static final class Device {
        final int index;
        final long handle;
        final String uuid;
        final String name;
        final String openError;
        HealthReading health = HealthReading.NONE;
        long lastUtilMicros;
        Integer lastXid;
        boolean migRead;
        Boolean mig;
        int migTotalSlices = -1; // -1 not read yet, 0 unknown

        private Device(int index, long handle, String uuid, String name, String openError) {
            this.index = index;
            this.handle = handle;
            this.uuid = uuid;
            this.name = name;
            this.openError = openError;
        }

        static Device open(int index, long eventSet, byte[] buffer) {
            long[] handle = new long[1];
            int rc = NvmlNative.nvmlDeviceGetHandleByIndex_v2(index, handle);
            if (rc != NvmlLayout.SUCCESS) {
                // A GPU lost before start-up is still reported, under a stand-in id, so that it shows up
                log.error("GPU {}: nvmlDeviceGetHandleByIndex_v2 failed with {}", index, NvmlErrors.name(rc));
                return new Device(index, 0, "GPU-index-" + index, "unknown", "nvmlDeviceGetHandleByIndex_v2");
            }
            long h = handle[0];
            rc = NvmlNative.nvmlDeviceGetUUID(h, buffer, buffer.length);
            String uuid = rc == NvmlLayout.SUCCESS ? cString(buffer) : "GPU-index-" + index;
            rc = NvmlNative.nvmlDeviceGetName(h, buffer, buffer.length);
            String name = rc == NvmlLayout.SUCCESS ? cString(buffer) : "unknown";
            if (eventSet != 0) {
                rc = NvmlNative.nvmlDeviceRegisterEvents(h, NvmlLayout.EVENT_TYPE_XID_CRITICAL_ERROR, eventSet);
                if (rc != NvmlLayout.SUCCESS) {
                    log.info("GPU {}: XID events not registered ({})", index, NvmlErrors.name(rc));
                }
            }
            return new Device(index, h, uuid, name, null);
        }
    }
}
