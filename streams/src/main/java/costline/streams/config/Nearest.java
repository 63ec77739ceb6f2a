package costline.streams.config;

import java.util.Collection;

/** The declared key nearest to a misspelt one (edit distance), so an unknown-key error can say what was meant. */
final class Nearest {

    private Nearest() {
    }

    /** The nearest declared key (a pattern filled with the name the candidate gives it), or null when none is close. */
    static String key(String candidate, Collection<Setting> declared) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Setting s : declared) {
            for (String option : options(candidate, s)) {
                int d = distance(candidate, option);
                if (d < bestDistance) {
                    best = option;
                    bestDistance = d;
                }
            }
        }
        // further than half the key away is a different key, not a typo of this one
        return best != null && bestDistance <= Math.max(2, candidate.length() / 2) ? best : null;
    }

    /** The key itself, or for a pattern each way the candidate could fill the placeholder. */
    private static java.util.List<String> options(String candidate, Setting s) {
        if (!s.isPattern()) {
            return java.util.List.of(s.key());
        }
        String prefix = s.key().substring(0, s.key().indexOf('<'));
        java.util.List<String> out = new java.util.ArrayList<>();
        out.add(s.key());
        if (candidate.startsWith(prefix)) {
            for (int i = candidate.indexOf('.', prefix.length()); i > 0; i = candidate.indexOf('.', i + 1)) {
                out.add(s.forName(candidate.substring(prefix.length(), i)).key());
            }
        }
        return out;
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
