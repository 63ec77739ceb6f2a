package costline.app;

import costline.streams.config.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Durations on the command line, in the one grammar of the settings ({@link Durations}): 500ms, 1s, 10m, 2h, 14d, PT1S. */
final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        return Durations.parse(value).orElseThrow(() -> new TypeConversionException(
                "'" + value + "' is not a duration: write " + Durations.GRAMMAR));
    }
}
