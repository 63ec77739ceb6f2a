package costline.collectors.nvml;

/** Names of nvmlReturn_t codes, for logs and the health detail. */
final class NvmlErrors {

    private NvmlErrors() {
    }

    static String name(int code) {
        return switch (code) {
            case 0 -> "NVML_SUCCESS";
            case 1 -> "NVML_ERROR_UNINITIALIZED";
            case 2 -> "NVML_ERROR_INVALID_ARGUMENT";
            case 3 -> "NVML_ERROR_NOT_SUPPORTED";
            case 4 -> "NVML_ERROR_NO_PERMISSION";
            case 5 -> "NVML_ERROR_ALREADY_INITIALIZED";
            case 6 -> "NVML_ERROR_NOT_FOUND";
            case 7 -> "NVML_ERROR_INSUFFICIENT_SIZE";
            case 8 -> "NVML_ERROR_INSUFFICIENT_POWER";
            case 9 -> "NVML_ERROR_DRIVER_NOT_LOADED";
            case 10 -> "NVML_ERROR_TIMEOUT";
            case 11 -> "NVML_ERROR_IRQ_ISSUE";
            case 12 -> "NVML_ERROR_LIBRARY_NOT_FOUND";
            case 13 -> "NVML_ERROR_FUNCTION_NOT_FOUND";
            case 14 -> "NVML_ERROR_CORRUPTED_INFOROM";
            case 15 -> "NVML_ERROR_GPU_IS_LOST";
            case 16 -> "NVML_ERROR_RESET_REQUIRED";
            case 17 -> "NVML_ERROR_OPERATING_SYSTEM";
            case 18 -> "NVML_ERROR_LIB_RM_VERSION_MISMATCH";
            case 19 -> "NVML_ERROR_IN_USE";
            case 20 -> "NVML_ERROR_MEMORY";
            case 21 -> "NVML_ERROR_NO_DATA";
            case 999 -> "NVML_ERROR_UNKNOWN";
            default -> "NVML_ERROR_" + code;
        };
    }
}
