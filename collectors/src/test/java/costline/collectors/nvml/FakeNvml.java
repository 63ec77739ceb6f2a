package costline.collectors.nvml;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Scripts the fake libnvidia-ml.so.1 (src/test/c/fake_nvml.c) that the test build compiles: the collector binds the
 * same library file, so both see the same GPUs.
 */
public final class FakeNvml {

    /** Control functions the fake exports next to the NVML API. */
    public interface Control extends Library {
        void fake_reset(int count);

        int fake_set(int gpu, String field, long value);

        void fake_set_identity(int gpu, String uuid, String name);

        void fake_set_error(int gpu, String function, int code);

        void fake_add_process(int gpu, int pid, long usedBytes);

        void fake_add_process_util(int gpu, int pid, int smUtil, long timestampMicros);

        void fake_add_mig(int gpu, String uuid, int gi, int ci, long total, long used);

        void fake_add_mig_process(int gpu, int pid, long usedBytes, int gi, int ci);

        int fake_set_mig_slices(int gpu, String uuid, int slices);

        void fake_add_xid(int gpu, long xid);

        long fake_calls(String function);
    }

    public static final int NOT_SUPPORTED = 3;
    public static final int NO_PERMISSION = 4;
    public static final int DRIVER_NOT_LOADED = 9;
    public static final int GPU_IS_LOST = 15;

    private static Control control;

    private FakeNvml() {
    }

    /** Path of the compiled fake, from the build (system property costline.fakeNvml). */
    public static String path() {
        String path = System.getProperty("costline.fakeNvml", "target/fake-nvml/libnvidia-ml.so.1");
        if (!Files.isRegularFile(Path.of(path))) {
            throw new IllegalStateException("the fake NVML library " + path + " is missing: build with Maven, which "
                    + "compiles src/test/c/fake_nvml.c with gcc in generate-test-resources");
        }
        return Path.of(path).toAbsolutePath().toString();
    }

    public static synchronized Control control() {
        if (control == null) {
            control = Native.load(path(), Control.class);
        }
        return control;
    }

    /** Resets the fake to {@code gpus} idle H100s and sets one value. */
    public static Control reset(int gpus) {
        Control c = control();
        c.fake_reset(gpus);
        return c;
    }

    public static void set(int gpu, String field, long value) {
        if (control().fake_set(gpu, field, value) != 0) {
            throw new IllegalArgumentException("fake NVML has no GPU " + gpu + " or field " + field);
        }
    }
}
