package costline.streams.finance;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Typed reads of flat string settings (from a properties file or the environment), each failing with the key's
 * name, the bad value and how to fix it, so a bad config stops start-up with a message a person can act on.
 */
public record Settings(Map<String, String> values) {

    public Settings {
        values = Map.copyOf(values);
    }

    public String string(String key, String dflt) {
        String v = values.get(key);
        return v == null || v.isBlank() ? dflt : v.trim();
    }

    /** A duration in the one grammar of {@link costline.streams.config.Durations} (PT6H, 6h, P30D, 30d, ...). */
    public Duration duration(String key, Duration dflt) {
        String v = values.get(key);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        return costline.streams.config.Durations.parse(v).orElseThrow(() -> new IllegalArgumentException(
                key + " = '" + v + "' is not a duration >= 0; write " + costline.streams.config.Durations.GRAMMAR
                        + ", e.g. PT6H"));
    }

    public ZoneId zone(String key, ZoneId dflt) {
        String v = values.get(key);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return ZoneId.of(v.trim());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(key + " = '" + v + "' is not a time zone; use a region id such as UTC or Europe/Berlin");
        }
    }

    public double positiveDouble(String key, double dflt) {
        String v = values.get(key);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (!(d > 0) || Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " = '" + v + "' must be a number > 0");
        }
    }

    /** {@code a=b;c=d}: semicolons separate entries because GPU model names contain commas rarely but spaces often. */
    public Map<String, String> map(String key) {
        String v = values.get(key);
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null || v.isBlank()) {
            return out;
        }
        for (String entry : v.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException(key + ": entry '" + entry.trim()
                        + "' is not name=value; write entries as 'NVIDIA A100-SXM4-40GB=NVIDIA A100 40GB;...'");
            }
            out.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
        }
        return out;
    }

    /** {@link #map} with numeric values greater than zero. */
    public Map<String, Double> doubleMap(String key) {
        Map<String, Double> out = new LinkedHashMap<>();
        map(key).forEach((name, value) -> {
            try {
                double d = Double.parseDouble(value);
                if (!(d > 0) || Double.isInfinite(d)) {
                    throw new NumberFormatException();
                }
                out.put(name, d);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + ": '" + name + "=" + value + "' needs a number > 0 after '='");
            }
        });
        return out;
    }

    public static void require(boolean ok, String key, String fix) {
        if (!ok) {
            throw new IllegalArgumentException(key + ": " + fix);
        }
    }
}
