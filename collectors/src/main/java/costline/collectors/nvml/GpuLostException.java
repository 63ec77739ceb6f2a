package costline.collectors.nvml;

/** NVML_ERROR_GPU_IS_LOST from a device call: the GPU fell off the bus; the round goes on with the others. */
final class GpuLostException extends RuntimeException {

    GpuLostException(String function) {
        super(function + " returned NVML_ERROR_GPU_IS_LOST", null, false, false);
    }
}
