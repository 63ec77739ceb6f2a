package costline.streams.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/**
 * The one duration grammar of costline, for settings and the command line alike: ISO-8601 ({@code PT30M},
 * {@code P14D}) or a whole number with a unit: {@code ms}, {@code s}, {@code m}, {@code h}, {@code d}
 * ({@code 500ms}, {@code 10s}, {@code 30m}, {@code 2h}, {@code 14d}). A bare {@code 0} is zero, the one number
 * that needs no unit (so {@code --duration 0} keeps working); any other bare number is refused, since it could be
 * seconds or milliseconds. Negative durations are refused.
 */
public final class Durations {

    /** How to write one, for error messages. */
    public static final String GRAMMAR = "a duration such as 500ms, 10s, 30m, 2h, 14d or ISO-8601 PT30M / P14D";

    private Durations() {
    }

    /** The duration {@code text} writes, or empty when it is not one. */
    public static Optional<Duration> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String v = text.trim().toLowerCase(Locale.ROOT);
        try {
            Duration d;
            if (v.equals("0")) {
                d = Duration.ZERO;
            } else if (v.startsWith("p")) {
                d = Duration.parse(v.toUpperCase(Locale.ROOT));
            } else if (v.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            } else if (v.length() < 2) {
                return Optional.empty();
            } else {
                long n = Long.parseLong(v.substring(0, v.length() - 1));
                d = switch (v.charAt(v.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    case 'd' -> Duration.ofDays(n);
                    default -> null;
                };
            }
            return d == null || d.isNegative() ? Optional.empty() : Optional.of(d);
        } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    /** {@link #parse}, or a {@link SettingsException} naming {@code key} and the grammar. */
    public static Duration of(String key, String text) {
        return parse(text).orElseThrow(() -> new SettingsException(key, "'" + text + "' is not a duration", "write " + GRAMMAR));
    }
}
