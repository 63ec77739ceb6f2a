package costline.collectors.nvml;

import com.sun.jna.Memory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * Cost of each NVML call the collector makes, one at a time, on the first GPU: where a sample's time goes.
 * A program, not a test: {@code java -cp ... costline.collectors.nvml.NvmlCallBench [library] [calls]}.
 */
public final class NvmlCallBench {

    public static void main(String[] args) {
        String library = args.length > 0 ? args[0] : NvmlReader.DEFAULT_LIBRARY;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        NvmlNative.bind(library);
        check(NvmlNative.nvmlInit_v2(), "init");
        long[] handle = new long[1];
        check(NvmlNative.nvmlDeviceGetHandleByIndex_v2(0, handle), "handle");
        long h = handle[0];
        int[] i1 = new int[1];
        int[] i2 = new int[2];
        int[] count = new int[1];
        long[] l1 = new long[1];
        long[] mem = new long[3];
        Memory processes = new Memory(64L * NvmlLayout.PROCESS_INFO_SIZE);
        Memory utils = new Memory(64L * NvmlLayout.PROCESS_UTIL_SIZE);
        long[] set = new long[1];
        boolean events = NvmlNative.nvmlEventSetCreate(set) == NvmlLayout.SUCCESS
                && NvmlNative.nvmlDeviceRegisterEvents(h, NvmlLayout.EVENT_TYPE_XID_CRITICAL_ERROR, set[0]) == NvmlLayout.SUCCESS;
        Memory eventData = new Memory(NvmlLayout.EVENT_DATA_SIZE);

        Map<String, IntSupplier> callsByName = new LinkedHashMap<>();
        callsByName.put("nvmlDeviceGetUtilizationRates", () -> NvmlNative.nvmlDeviceGetUtilizationRates(h, i2));
        callsByName.put("nvmlDeviceGetMemoryInfo", () -> NvmlNative.nvmlDeviceGetMemoryInfo(h, mem));
        callsByName.put("nvmlDeviceGetPowerUsage", () -> NvmlNative.nvmlDeviceGetPowerUsage(h, i1));
        callsByName.put("nvmlDeviceGetTemperature", () -> NvmlNative.nvmlDeviceGetTemperature(h, NvmlLayout.TEMPERATURE_GPU, i1));
        callsByName.put("nvmlDeviceGetClockInfo(SM)", () -> NvmlNative.nvmlDeviceGetClockInfo(h, NvmlLayout.CLOCK_SM, i1));
        callsByName.put("nvmlDeviceGetComputeRunningProcesses_v3", () -> {
            count[0] = 64;
            return NvmlNative.nvmlDeviceGetComputeRunningProcesses_v3(h, count, processes);
        });
        Memory[] utilBuffer = {utils};
        callsByName.put("nvmlDeviceGetProcessUtilization (size query + read)", () -> {
            long since = System.currentTimeMillis() * 1000 - 1_000_000;
            count[0] = 0;
            NvmlNative.nvmlDeviceGetProcessUtilization(h, null, count, since);
            if (count[0] * (long) NvmlLayout.PROCESS_UTIL_SIZE > utilBuffer[0].size()) {
                utilBuffer[0] = new Memory(count[0] * 2L * NvmlLayout.PROCESS_UTIL_SIZE);
            }
            count[0] = (int) (utilBuffer[0].size() / NvmlLayout.PROCESS_UTIL_SIZE);
            return NvmlNative.nvmlDeviceGetProcessUtilization(h, utilBuffer[0], count, since);
        });
        callsByName.put("nvmlDeviceGetMigMode", () -> NvmlNative.nvmlDeviceGetMigMode(h, i1, count));
        if (events) {
            callsByName.put("nvmlEventSetWait_v2(timeout 0)", () -> NvmlNative.nvmlEventSetWait_v2(set[0], eventData, 0));
        }
        callsByName.put("nvmlDeviceGetTotalEccErrors", () -> NvmlNative.nvmlDeviceGetTotalEccErrors(h, NvmlLayout.ECC_UNCORRECTED, NvmlLayout.VOLATILE_ECC, l1));
        callsByName.put("nvmlDeviceGetTotalEnergyConsumption", () -> NvmlNative.nvmlDeviceGetTotalEnergyConsumption(h, l1));

        for (Map.Entry<String, IntSupplier> e : callsByName.entrySet()) {
            int n = e.getKey().contains("Energy") ? Math.min(calls, 100) : calls;
            int rc = 0;
            for (int i = 0; i < Math.min(50, n); i++) {
                rc = e.getValue().getAsInt();
            }
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                rc = e.getValue().getAsInt();
            }
            double us = (System.nanoTime() - start) / 1000.0 / n;
            System.out.printf("%-45s %10.1f us  (rc %d, %s)%n", e.getKey(), us, rc, NvmlErrors.name(rc));
        }
        NvmlNative.nvmlShutdown();
    }

    private static void check(int rc, String what) {
        if (rc != NvmlLayout.SUCCESS) {
            throw new IllegalStateException(what + " failed: " + NvmlErrors.name(rc));
        }
    }
}
