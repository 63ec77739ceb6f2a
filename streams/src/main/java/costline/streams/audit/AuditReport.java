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
 * @param skipped   topic -> reason -> records left out: what does not decode (or a CostRecord the finance check
 *                  refuses), and for gpu.samples the samples the fold refused, by the cost topology's dead-letter reasons
 */
public record AuditReport(YearMonth month, Map<LedgerKey, Long> fold, Map<String, Map<LedgerKey, Long>> sources,
                          Set<String> centsOnly, Map<String, Map<String, Long>> skipped) {

    public AuditReport(YearMonth month, Map<LedgerKey, Long> fold, Map<String, Map<LedgerKey, Long>> sources, Set<String> centsOnly) {
        this(month, fold, sources, centsOnly, Map.of());
    }

    /** One key's figures where some source differs from the fold. */
    public record Difference(LedgerKey key, long foldMicroUsd, Map<String, Long> differenceMicroUsd) {
    }

    public AuditReport {
        fold = new TreeMap<>(fold);
        sources = new LinkedHashMap<>(sources);
        centsOnly = Set.copyOf(centsOnly);
        skipped = new LinkedHashMap<>(skipped);
    }

    /**
     * One line per topic with records left out, e.g. {@code gpu.samples: 12 samples refused by the fold (BAD_MAGIC_BYTE 3,
     * INVALID_NAME 9)}: a command prints them on stderr.
     */
    public List<String> skippedLines() {
        List<String> lines = new ArrayList<>();
        skipped.forEach((topic, reasons) -> {
            long n = reasons.values().stream().mapToLong(Long::longValue).sum();
            StringBuilder s = new StringBuilder(topic).append(": ").append(n)
                    .append(topic.equals(costline.schemas.Topics.GPU_SAMPLES) ? " samples refused by the fold (as the cost topology does)"
                            : " records skipped").append(" (");
            String sep = "";
            for (Map.Entry<String, Long> e : new TreeMap<>(reasons).entrySet()) {
                s.append(sep).append(e.getKey()).append(' ').append(e.getValue());
                sep = ", ";
            }
            lines.add(s.append(')').toString());
        });
        return lines;
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
