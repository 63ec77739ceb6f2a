package costline.collectors.nvml;

import java.time.Duration;
import java.util.Objects;

/**
 * The NVML collector's settings, validated when built: a bad value stops start-up naming the option and the fix.
 *
 * @param library        NVML library to load: a file name searched like dlopen does, or a path
 *                       (--nvml-library, default libnvidia-ml.so.1)
 * @param interval       time between rounds, one sample per GPU per round (--interval, default 1 s)
 * @param energyInterval how often the energy counter is read (--energy-interval, default 10 s)
 * @param healthInterval how often the ECC and retired-page counters are read (--health-interval, default 10 s)
 * @param host           host name put in every sample (--host, default this machine's name)
 */
public record NvmlSettings(String library, Duration interval, Duration energyInterval, Duration healthInterval,
                           String host) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_ENERGY_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofSeconds(10);

    public NvmlSettings {
        Objects.requireNonNull(library, "library");
        if (library.isBlank()) {
            throw new IllegalArgumentException("--nvml-library is blank: give a file name such as libnvidia-ml.so.1 "
                    + "or a path");
        }
        requirePositive(interval, "--interval", "e.g. 1s");
        requirePositive(energyInterval, "--energy-interval", "e.g. 10s");
        requirePositive(healthInterval, "--health-interval", "e.g. 10s");
        if (interval.toMillis() < 10) {
            throw new IllegalArgumentException("--interval " + interval + " is below 10 ms: NVML's own averaging "
                    + "windows are longer; use 1s");
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("--host is blank: give this machine's name");
        }
    }

    public static NvmlSettings defaults(String host) {
        return new NvmlSettings(NvmlReader.DEFAULT_LIBRARY, DEFAULT_INTERVAL, DEFAULT_ENERGY_INTERVAL,
                DEFAULT_HEALTH_INTERVAL, host);
    }

    private static void requirePositive(Duration value, String option, String example) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(option + " must be a positive duration (" + example + "), got " + value);
        }
    }
}
