package costline.collectors.nvml;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * JNA direct mapping of the NVML entry points the collector uses. Direct mapping (static natives bound once)
 * costs well under a microsecond a call, where an interface proxy costs several: it keeps a whole sample far
 * under the 100 us budget.
 *
 * <p>Handles ({@code nvmlDevice_t}, {@code nvmlEventSet_t}) are opaque pointers passed as {@code long} (the
 * collector runs on 64-bit Linux only); output parameters are one-element primitive arrays; structs are read
 * from a {@link Pointer} at the offsets in {@link NvmlLayout}. Every function returns an {@code nvmlReturn_t}.
 */
final class NvmlNative {

    private static String boundTo;

    private NvmlNative() {
    }

    /**
     * Binds the natives to {@code library} (a file name like libnvidia-ml.so.1, searched the usual way, or a path).
     * A JVM binds once: binding again to another library is refused.
     */
    static synchronized void bind(String library) {
        // Load first: a missing library is reported as such even when another one is bound already.
        NativeLibrary loaded = NativeLibrary.getInstance(library);
        if (boundTo != null) {
            if (!boundTo.equals(library)) {
                throw new IllegalStateException("NVML is already bound to " + boundTo + " in this process; cannot bind "
                        + library + " as well");
            }
            return;
        }
        Native.register(NvmlNative.class, loaded);
        boundTo = library;
    }

    static synchronized String boundTo() {
        return boundTo;
    }

    static native int nvmlInit_v2();

    static native int nvmlShutdown();

    static native String nvmlErrorString(int result);

    static native int nvmlSystemGetDriverVersion(byte[] version, int length);

    static native int nvmlDeviceGetCount_v2(int[] count);

    static native int nvmlDeviceGetHandleByIndex_v2(int index, long[] device);

    static native int nvmlDeviceGetUUID(long device, byte[] uuid, int length);

    static native int nvmlDeviceGetName(long device, byte[] name, int length);

    /** nvmlUtilization_t: {gpu, memory} as two unsigned ints. */
    static native int nvmlDeviceGetUtilizationRates(long device, int[] utilization);

    /** nvmlMemory_t (v1): {total, free, used} as three unsigned long longs, bytes. */
    static native int nvmlDeviceGetMemoryInfo(long device, long[] memory);

    static native int nvmlDeviceGetPowerUsage(long device, int[] milliwatts);

    static native int nvmlDeviceGetTotalEnergyConsumption(long device, long[] millijoules);

    static native int nvmlDeviceGetTemperature(long device, int sensor, int[] celsius);

    static native int nvmlDeviceGetClockInfo(long device, int type, int[] mhz);

    static native int nvmlDeviceGetComputeRunningProcesses_v3(long device, int[] count, Pointer infos);

    static native int nvmlDeviceGetProcessUtilization(long device, Pointer samples, int[] count, long lastSeenMicros);

    static native int nvmlDeviceGetMigMode(long device, int[] current, int[] pending);

    static native int nvmlDeviceGetMaxMigDeviceCount(long device, int[] count);

    static native int nvmlDeviceGetMigDeviceHandleByIndex(long device, int index, long[] migDevice);

    static native int nvmlDeviceGetGpuInstanceId(long device, int[] id);

    static native int nvmlDeviceGetComputeInstanceId(long device, int[] id);

    /** nvmlDeviceAttributes_t (MIG devices only): eight unsigned ints, then memorySizeMB; see NvmlLayout. */
    static native int nvmlDeviceGetAttributes_v2(long device, Pointer attributes);

    /** nvmlGpuInstanceProfileInfo_t of one GPU instance profile; NOT_SUPPORTED for profiles the GPU lacks. */
    static native int nvmlDeviceGetGpuInstanceProfileInfo(long device, int profile, Pointer info);

    static native int nvmlDeviceGetTotalEccErrors(long device, int errorType, int counterType, long[] count);

    static native int nvmlDeviceGetRetiredPages(long device, int cause, int[] pageCount, Pointer addresses);

    static native int nvmlDeviceGetRemappedRows(long device, int[] corrRows, int[] uncRows, int[] isPending,
                                                int[] failureOccurred);

    static native int nvmlEventSetCreate(long[] set);

    static native int nvmlDeviceRegisterEvents(long device, long eventTypes, long set);

    static native int nvmlEventSetWait_v2(long set, Pointer data, int timeoutMs);

    static native int nvmlEventSetFree(long set);
}
