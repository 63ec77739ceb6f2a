package costline.schemas;

import java.util.Locale;

/**
 * The one rule for names the pipeline keys, tags and reports by: workload, team, host, GPU id, GPU model, instance id.
 *
 * <p>A valid name is 1 to {@link #MAX_LENGTH} code points of Unicode letters and digits, the punctuation
 * {@value #PUNCTUATION} and single inner spaces (no leading or trailing space, no two in a row), does not start with
 * one of {@value #FORMULA_STARTS} (a spreadsheet would run the cell of such a name in a CSV as a formula), and is not a
 * {@linkplain Topics#RESERVED_NAMES reserved name} in any letter case. Everything else (control characters, line
 * breaks, backslashes, quotes, commas, {@code *}) is refused: such a name would be stored, escaped or parsed
 * differently by the store, the CSV files or the state stores (a workload {@code d\e<LF>f} came back from the store
 * as {@code denf}), so the reports would disagree on who spent the money.
 *
 * <p>Collectors pass every name they read from a process environment, a cgroup, a pod label or a cloud tag
 * through {@link #normalise}, so they never publish a name the pipeline would refuse; the cost topology's validator
 * dead-letters any name {@link #check} refuses.
 */
public final class Names {

    /** Longest name, in code points: a Kubernetes label value is 63, an EC2 tag value 256, a GPU model about 40. */
    public static final int MAX_LENGTH = 128;
    /** Punctuation allowed besides letters, digits and inner single spaces. */
    public static final String PUNCTUATION = "-_.:/@+#()";
    /** First characters a name may not have: with them a CSV cell is a spreadsheet formula ({@code =} is refused
     *  anywhere). */
    public static final String FORMULA_STARTS = "-+@";
    /** What a reserved name becomes under {@link #normalise}: it gets this suffix, so no collector produces one. */
    public static final String RESERVED_SUFFIX = "_";

    /** Which name a refusal is about, for the reason text. */
    public enum Kind { WORKLOAD, TEAM, HOST, GPU_ID, GPU_MODEL, INSTANCE_ID, REGION, INSTANCE_TYPE }

    private Names() {
    }

    /**
     * Why {@code name} is refused as a {@code kind}, or null when it is valid. The text names the kind, the first
     * offending character (as U+XXXX) or the length, and is short enough for a dead-letter header.
     */
    /** Each kind's name as messages say it (computed once: the check runs for every name of every sample). */
    private static final String[] WHAT = java.util.Arrays.stream(Kind.values())
            .map(k -> k.name().toLowerCase(Locale.ROOT)).toArray(String[]::new);

    public static String check(Kind kind, String name) {
        String what = WHAT[kind.ordinal()];
        if (name == null || name.isEmpty()) {
            return what + " is empty";
        }
        int length = name.codePointCount(0, name.length());
        if (length > MAX_LENGTH) {
            return what + " is " + length + " characters long, more than " + MAX_LENGTH;
        }
        if (name.charAt(0) == ' ' || name.charAt(name.length() - 1) == ' ') {
            return what + " '" + name + "' starts or ends with a space";
        }
        if (FORMULA_STARTS.indexOf(name.charAt(0)) >= 0) {
            return what + " '" + printable(name) + "' starts with " + name.charAt(0)
                    + ", which a spreadsheet reads as a formula";
        }
        int previous = 0;
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            if (!allowed(cp)) {
                return what + " '" + printable(name) + "' holds " + String.format("U+%04X", cp) + " at " + i
                        + "; allowed: letters, digits, single inner spaces and " + PUNCTUATION;
            }
            if (cp == ' ' && previous == ' ') {
                return what + " '" + name + "' holds two spaces in a row";
            }
            previous = cp;
            i += Character.charCount(cp);
        }
        if (isReserved(name)) {
            return what + " '" + name + "' is a reserved name " + Topics.RESERVED_NAMES;
        }
        return null;
    }

    /** True when {@code name} passes {@link #check}. */
    public static boolean valid(Kind kind, String name) {
        return check(kind, name) == null;
    }

    /**
     * The valid name nearest to a raw one read from the outside: each run of characters the rule does not allow
     * (whitespace included) becomes one {@code _}, except that a run of plain spaces inside the name becomes one space;
     * leading and trailing spaces are dropped; a name starting with one of {@value #FORMULA_STARTS} gets a leading
     * {@code _}; the result is cut to {@link #MAX_LENGTH} code points; a reserved name gets {@link #RESERVED_SUFFIX}. Null stays null and a name with nothing left is empty (which {@link #check}
     * refuses: there is no sensible name to make up). Valid names come back unchanged.
     */
    public static String normalise(String raw) {
        if (raw == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(raw.length(), MAX_LENGTH * 2));
        String trimmed = raw.strip();
        int count = 0;
        if (!trimmed.isEmpty() && FORMULA_STARTS.indexOf(trimmed.charAt(0)) >= 0) {
            out.append('_');
            count++;
        }
        boolean inBad = false;
        for (int i = 0; i < trimmed.length() && count < MAX_LENGTH; ) {
            int cp = trimmed.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == ' ') {
                if (out.length() > 0 && out.charAt(out.length() - 1) != ' ' && !inBad) {
                    out.append(' ');
                    count++;
                }
                continue;
            }
            if (allowed(cp)) {
                out.appendCodePoint(cp);
                count++;
                inBad = false;
            } else if (!inBad) {
                if (out.length() > 0 && out.charAt(out.length() - 1) == ' ') {
                    out.setLength(out.length() - 1);
                    count--;
                }
                out.append('_');
                count++;
                inBad = true;
            }
        }
        String name = out.toString().strip();
        if (isReserved(name)) {
            name = name + RESERVED_SUFFIX;
        }
        return name;
    }

    /** Reserved in any letter case, so that {@code Unallocated} cannot pass for the bucket in a case-blind report. */
    static boolean isReserved(String name) {
        for (String r : Topics.RESERVED_NAMES) {
            if (r.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean allowed(int cp) {
        return cp == ' ' || Character.isLetterOrDigit(cp) || (cp < 128 && PUNCTUATION.indexOf(cp) >= 0);
    }

    private static String printable(String name) {
        StringBuilder b = new StringBuilder();
        name.codePoints().limit(40).forEach(cp -> {
            if (Character.isISOControl(cp) || cp == '\\') {
                b.append(String.format("\\u%04x", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return name.codePointCount(0, name.length()) > 40 ? b + "..." : b.toString();
    }
}
