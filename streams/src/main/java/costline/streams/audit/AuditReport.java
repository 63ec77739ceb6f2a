package costline.streams.audit;

import costline.pricing.CostModel;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The audit's comparison: per key, the batch fold's micro-dollars against each other source's. A source compared at
 * the cent (the CSV, which rounds half-even to the cent) is compared with the fold rounded the same way. A key missing
 * from a source counts as 0 there.
 *
 * @param fold      the batch fold of the raw inputs, micro-USD per key
 * @param sources   name -> micro-USD per key, in the order they are printed
 * @param centsOnly names of the sources that hold cents, not micro-dollars
 */
public record AuditReport(YearMonth month, Map<LedgerKey, Long> fold, Map<String, Map<LedgerKey, Long>> sources,
                          Set<String> centsOnly) {

    /** One key's figures where some source differs from the fold. */
    public record Difference(LedgerKey key, long foldMicroUsd, Map<String, Long> differenceMicroUsd) {
    }

    public AuditReport {
        fold = new TreeMap<>(fold);
        sources = new LinkedHashMap<>(sources);
        centsOnly = Set.copyOf(centsOnly);
    }

    public Set<LedgerKey> keys() {
        Set<LedgerKey> all = new TreeSet<>(fold.keySet());
        sources.values().forEach(m -> all.addAll(m.keySet()));
        return all;
    }

    /** The fold's total for the month, micro-USD. */
    public long totalMicroUsd() {
        return fold.values().stream().mapToLong(Long::longValue).sum();
    }

    public List<Difference> differences() {
        List<Difference> out = new ArrayList<>();
        for (LedgerKey k : keys()) {
            long expected = fold.getOrDefault(k, 0L);
            Map<String, Long> diffs = new LinkedHashMap<>();
            boolean any = false;
            for (Map.Entry<String, Map<LedgerKey, Long>> s : sources.entrySet()) {
                long reference = centsOnly.contains(s.getKey()) ? roundToCent(expected) : expected;
                long d = s.getValue().getOrDefault(k, 0L) - reference;
                diffs.put(s.getKey(), d);
                any |= d != 0;
            }
            if (any) {
                out.add(new Difference(k, expected, diffs));
            }
        }
        return out;
    }

    static long roundToCent(long microUsd) {
        return BigDecimal.valueOf(microUsd).divide(BigDecimal.valueOf(10_000), 0, RoundingMode.HALF_EVEN).longValueExact() * 10_000;
    }

    /** The one-line summary the quickstart prints. */
    public String summary() {
        return "audit: " + keys().size() + " keys, total $" + CostModel.toDollarsCents(totalMicroUsd()).toPlainString()
                + ", differences " + differences().size();
    }

    /** The table of differences (source minus fold, micro-USD), then the summary. */
    public void print(PrintWriter out) {
        List<Difference> diffs = differences();
        out.println("audit of " + month + ": batch fold of gpu.samples + gpu.prices against " + String.join(", ", sources.keySet())
                + (centsOnly.isEmpty() ? "" : " (" + String.join(", ", centsOnly) + " at the cent)"));
        if (!diffs.isEmpty()) {
            StringBuilder header = new StringBuilder(String.format("%-60s %16s", "workload | site | gpu model", "fold micro-USD"));
            sources.keySet().forEach(s -> header.append(String.format(" %16s", s + " diff")));
            out.println(header);
            for (Difference d : diffs) {
                StringBuilder row = new StringBuilder(String.format("%-60s %16d", d.key(), d.foldMicroUsd()));
                d.differenceMicroUsd().values().forEach(v -> row.append(String.format(" %16d", v)));
                out.println(row);
            }
        }
        out.println(summary());
        out.flush();
    }
}
