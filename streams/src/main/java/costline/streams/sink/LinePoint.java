package costline.streams.sink;

import java.math.BigDecimal;

/**
 * One InfluxDB point, written as a line of the line protocol by our own code: the sink's one format of points.
 *
 * <p>Why not the InfluxDB client's {@code Point}: it keeps tags and fields in TreeMaps of boxed values and formats every
 * double with a {@code DecimalFormat}; that was half of the sink thread's CPU at 10,000 samples/s (the flight recording
 * of the whole-pipeline benchmark). This class writes the same bytes the client writes for the same point (the test
 * {@code LinePointTest} compares them on awkward names and numbers), so the stored series and values do not change:
 * <ul>
 *   <li>tags and fields in ascending key order ({@link String#compareTo}, the client's TreeMap order); a tag with a
 *       null or empty value is left out; a tag or field set twice keeps its last value;</li>
 *   <li>measurement: space, comma escaped with a backslash; tag keys, tag values, field keys: space, comma and equals
 *       sign escaped; line feed, carriage return and tab written as {@code \n}, {@code \r}, {@code \t}; a backslash is
 *       written as it is (the protocol has no escape for it; the pipeline's names refuse backslashes anyway);</li>
 *   <li>double fields in plain decimal notation, at least one fraction digit, the shortest digits that read back as
 *       the same double ({@code 100.0}, {@code 0.00000015}, {@code 100000000000000000000.0}); NaN and infinities are
 *       left out; long fields with the {@code i} suffix; strings in double quotes with {@code "} and {@code \}
 *       escaped; booleans {@code true}/{@code false};</li>
 *   <li>the timestamp in microseconds (the sink writes at microsecond precision).</li>
 * </ul>
 * A point without a field is not a point: {@link #toLineProtocol()} is empty for it, as the client's is.
 */
public final class LinePoint {

    private static final byte DOUBLE = 0;
    private static final byte LONG = 1;
    private static final byte STRING = 2;
    private static final byte BOOLEAN = 3;

    private final String measurement;
    private String[] tagKeys = new String[8];
    private String[] tagValues = new String[8];
    private int tags;
    private String[] fieldKeys = new String[8];
    private byte[] fieldTypes = new byte[8];
    private long[] fieldBits = new long[8];
    private Object[] fieldObjects = new Object[8];
    private int fields;
    private long timeMicros;
    private boolean timed;

    private LinePoint(String measurement) {
        if (measurement == null || measurement.isEmpty()) {
            throw new IllegalArgumentException("a point needs a measurement name");
        }
        this.measurement = measurement;
    }

    public static LinePoint measurement(String name) {
        return new LinePoint(name);
    }

    /** A tag; a null or empty value leaves the tag out of the line. */
    public LinePoint addTag(String key, String value) {
        int at = indexOf(tagKeys, tags, key);
        if (at < 0) {
            if (tags == tagKeys.length) {
                tagKeys = java.util.Arrays.copyOf(tagKeys, tags * 2);
                tagValues = java.util.Arrays.copyOf(tagValues, tags * 2);
            }
            at = tags++;
            tagKeys[at] = key;
        }
        tagValues[at] = value;
        return this;
    }

    /** A float field; NaN and infinities are left out of the line. */
    public LinePoint addField(String key, double value) {
        return field(key, DOUBLE, Double.doubleToRawLongBits(value), null);
    }

    /** An integer field ({@code 42i}). */
    public LinePoint addField(String key, long value) {
        return field(key, LONG, value, null);
    }

    /** A string field; null leaves the field out. */
    public LinePoint addField(String key, String value) {
        return field(key, STRING, 0, value);
    }

    public LinePoint addField(String key, boolean value) {
        return field(key, BOOLEAN, value ? 1 : 0, null);
    }

    /** The point's time in microseconds since the epoch. */
    public LinePoint time(long micros) {
        this.timeMicros = micros;
        this.timed = true;
        return this;
    }

    /**
     * Whether the point's time is one InfluxDB can store: 1677-09-21T00:12:43.145224194Z to 2262-04-11T23:47:16.854775806Z
     * (nanoseconds in a long, less the two values it reserves), here in whole microseconds. A point without a time is
     * stamped by the store on arrival.
     */
    public boolean timeStorable() {
        return !timed || (timeMicros >= MIN_MICROS && timeMicros <= MAX_MICROS);
    }

    /** InfluxDB's earliest and latest times (Long.MIN_VALUE + 2 and Long.MAX_VALUE - 1 ns) in whole microseconds. */
    static final long MIN_MICROS = -9_223_372_036_854_775L;
    static final long MAX_MICROS = 9_223_372_036_854_775L;

    /** Whether the line has a field (a point without one cannot be written). */
    public boolean hasFields() {
        for (int i = 0; i < fields; i++) {
            if (written(i)) {
                return true;
            }
        }
        return false;
    }

    /** The line, without a line feed; empty when the point has no field. */
    public String toLineProtocol() {
        StringBuilder sb = new StringBuilder(64 + 24 * (tags + fields));
        return appendTo(sb) ? sb.toString() : "";
    }

    /**
     * Appends the line (without a line feed) to {@code sb}; false, and {@code sb} as it was, when the point has no
     * field.
     */
    public boolean appendTo(StringBuilder sb) {
        int start = sb.length();
        escape(sb, measurement, false);
        int[] tagOrder = order(tagKeys, tags);
        for (int i : tagOrder) {
            String key = tagKeys[i];
            String value = tagValues[i];
            if (key.isEmpty() || value == null || value.isEmpty()) {
                continue;
            }
            sb.append(',');
            escape(sb, key, true);
            sb.append('=');
            escape(sb, value, true);
        }
        sb.append(' ');
        boolean any = false;
        for (int i : order(fieldKeys, fields)) {
            if (!written(i)) {
                continue;
            }
            if (any) {
                sb.append(',');
            }
            any = true;
            escape(sb, fieldKeys[i], true);
            sb.append('=');
            switch (fieldTypes[i]) {
                case DOUBLE -> appendDouble(sb, Double.longBitsToDouble(fieldBits[i]));
                case LONG -> sb.append(fieldBits[i]).append('i');
                case STRING -> quote(sb, (String) fieldObjects[i]);
                default -> sb.append(fieldBits[i] != 0);
            }
        }
        if (!any) {
            sb.setLength(start);
            return false;
        }
        if (timed) {
            sb.append(' ').append(timeMicros);
        }
        return true;
    }

    @Override
    public String toString() {
        return toLineProtocol();
    }

    private LinePoint field(String key, byte type, long bits, Object object) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("a field needs a name");
        }
        int at = indexOf(fieldKeys, fields, key);
        if (at < 0) {
            if (fields == fieldKeys.length) {
                int n = fields * 2;
                fieldKeys = java.util.Arrays.copyOf(fieldKeys, n);
                fieldTypes = java.util.Arrays.copyOf(fieldTypes, n);
                fieldBits = java.util.Arrays.copyOf(fieldBits, n);
                fieldObjects = java.util.Arrays.copyOf(fieldObjects, n);
            }
            at = fields++;
            fieldKeys[at] = key;
        }
        fieldTypes[at] = type;
        fieldBits[at] = bits;
        fieldObjects[at] = object;
        return this;
    }

    private boolean written(int i) {
        return switch (fieldTypes[i]) {
            case DOUBLE -> Double.isFinite(Double.longBitsToDouble(fieldBits[i]));
            case STRING -> fieldObjects[i] != null;
            default -> true;
        };
    }

    private static int indexOf(String[] keys, int n, String key) {
        if (key == null) {
            throw new IllegalArgumentException("a tag or field needs a name");
        }
        for (int i = 0; i < n; i++) {
            if (keys[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    /** Indexes of the first {@code n} keys in ascending order (insertion sort: a point has a handful). */
    private static int[] order(String[] keys, int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            int j = i;
            while (j > 0 && keys[idx[j - 1]].compareTo(keys[i]) > 0) {
                idx[j] = idx[j - 1];
                j--;
            }
            idx[j] = i;
        }
        return idx;
    }

    private static void escape(StringBuilder sb, String s, boolean equalsSign) {
        int n = s.length();
        int first = 0;
        while (first < n && !special(s.charAt(first))) {
            first++;
        }
        if (first == n) { // the usual name: nothing to escape, one bulk copy
            sb.append(s);
            return;
        }
        sb.append(s, 0, first);
        for (int i = first; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case ' ', ',' -> sb.append('\\').append(c);
                case '=' -> {
                    if (equalsSign) {
                        sb.append('\\');
                    }
                    sb.append(c);
                }
                default -> sb.append(c);
            }
        }
    }

    /** A character {@link #escape} may change (the equals sign only in some places). */
    private static boolean special(char c) {
        return c == ' ' || c == ',' || c == '=' || c == '\n' || c == '\r' || c == '\t';
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        sb.append('"');
    }

    /**
     * Plain decimal notation with at least one fraction digit, from the digits of {@link Double#toString(double)} (the
     * digits the client's DecimalFormat uses too). Double.toString is already plain for 10^-3 <= |v| < 10^7, and always
     * has a fraction digit there; outside that range it uses an exponent, which is spelled out.
     */
    static void appendDouble(StringBuilder sb, double v) {
        String s = Double.toString(v);
        if (s.indexOf('E') < 0) {
            sb.append(s);
            return;
        }
        String plain = new BigDecimal(s).stripTrailingZeros().toPlainString();
        sb.append(plain);
        if (plain.indexOf('.') < 0) {
            sb.append(".0");
        }
    }
}
