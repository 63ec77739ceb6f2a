package costline.collectors.nvml;

/**
 * Constants and struct layouts from nvml.h (x86_64 / aarch64 Linux, natural alignment), in one place.
 */
final class NvmlLayout {

    private NvmlLayout() {
    }

    // nvmlReturn_t
    static final int SUCCESS = 0;
    static final int ERROR_UNINITIALIZED = 1;
    static final int ERROR_INVALID_ARGUMENT = 2;
    static final int ERROR_NOT_SUPPORTED = 3;
    static final int ERROR_NO_PERMISSION = 4;
    static final int ERROR_NOT_FOUND = 6;
    static final int ERROR_INSUFFICIENT_SIZE = 7;
    static final int ERROR_DRIVER_NOT_LOADED = 9;
    static final int ERROR_TIMEOUT = 10;
    static final int ERROR_LIBRARY_NOT_FOUND = 12;
    static final int ERROR_FUNCTION_NOT_FOUND = 13;
    static final int ERROR_GPU_IS_LOST = 15;

    static final int TEMPERATURE_GPU = 0;
    static final int CLOCK_SM = 1;
    static final int MIG_ENABLE = 1;
    static final int ECC_CORRECTED = 0;
    static final int ECC_UNCORRECTED = 1;
    static final int VOLATILE_ECC = 0;
    static final int RETIRED_MULTIPLE_SINGLE_BIT = 0;
    static final int RETIRED_DOUBLE_BIT = 1;
    static final long EVENT_TYPE_XID_CRITICAL_ERROR = 0x0000000000000008L;

    /** NVML_DEVICE_UUID_V2_BUFFER_SIZE is 96; names fit in 96 as well (NVML_DEVICE_NAME_V2_BUFFER_SIZE). */
    static final int STRING_BUFFER = 96;

    /**
     * nvmlProcessInfo_t (v2/v3): unsigned int pid @0; 4 bytes padding; unsigned long long usedGpuMemory @8;
     * unsigned int gpuInstanceId @16; unsigned int computeInstanceId @20; size 24.
     */
    static final int PROCESS_INFO_SIZE = 24;
    static final int PROCESS_INFO_PID = 0;
    static final int PROCESS_INFO_USED_MEMORY = 8;
    static final int PROCESS_INFO_GPU_INSTANCE = 16;
    static final int PROCESS_INFO_COMPUTE_INSTANCE = 20;
    /** gpuInstanceId / computeInstanceId of a process on a GPU without MIG (0xFFFFFFFF). */
    static final int NO_INSTANCE = 0xFFFFFFFF;

    /**
     * nvmlDeviceAttributes_t: unsigned ints multiprocessorCount @0, sharedCopyEngineCount, sharedDecoderCount,
     * sharedEncoderCount, sharedJpegCount, sharedOfaCount, gpuInstanceSliceCount @24, computeInstanceSliceCount @28;
     * unsigned long long memorySizeMB @32; size 40.
     */
    static final int DEVICE_ATTRIBUTES_SIZE = 40;
    static final int DEVICE_ATTRIBUTES_GPU_INSTANCE_SLICES = 24;

    /**
     * nvmlGpuInstanceProfileInfo_t: unsigned ints id @0, isP2pSupported @4, sliceCount @8, instanceCount @12, then
     * six more unsigned ints and unsigned long long memorySizeMB @40; size 48.
     */
    static final int PROFILE_INFO_SIZE = 48;
    static final int PROFILE_INFO_SLICE_COUNT = 8;
    /**
     * The GPU instance profiles that take a whole GPU: 8, 7, 6 and 4 slices (NVML_GPU_INSTANCE_PROFILE_8_SLICE 0x5,
     * _7_SLICE 0x4, _6_SLICE 0x6, _4_SLICE 0x3). The largest one a GPU offers is its slice count: 7 on an A100 or
     * H100, 4 on an A30.
     */
    static final int[] WHOLE_GPU_PROFILES = {0x5, 0x4, 0x6, 0x3};
    /** usedGpuMemory when the driver cannot tell (NVML_VALUE_NOT_AVAILABLE, e.g. Windows WDDM). */
    static final long VALUE_NOT_AVAILABLE = -1L;

    /**
     * nvmlProcessUtilizationSample_t: unsigned int pid @0; padding; unsigned long long timeStamp @8 (CPU time,
     * microseconds); unsigned int smUtil @16, memUtil @20, encUtil @24, decUtil @28; size 32.
     */
    static final int PROCESS_UTIL_SIZE = 32;
    static final int PROCESS_UTIL_PID = 0;
    static final int PROCESS_UTIL_TIMESTAMP = 8;
    static final int PROCESS_UTIL_SM = 16;

    /**
     * nvmlEventData_t: nvmlDevice_t device @0; unsigned long long eventType @8; eventData @16;
     * unsigned int gpuInstanceId @24, computeInstanceId @28; size 32.
     */
    static final int EVENT_DATA_SIZE = 32;
    static final int EVENT_DATA_DEVICE = 0;
    static final int EVENT_DATA_TYPE = 8;
    static final int EVENT_DATA_DATA = 16;
}
