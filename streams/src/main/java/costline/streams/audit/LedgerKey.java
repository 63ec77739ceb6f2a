package costline.streams.audit;

import java.util.Comparator;

/** What the audit compares by: a month's cost of one workload on one site and GPU model. */
public record LedgerKey(String workload, String site, String gpuModel) implements Comparable<LedgerKey> {

    private static final Comparator<LedgerKey> ORDER = Comparator.comparing(LedgerKey::workload)
            .thenComparing(LedgerKey::site).thenComparing(LedgerKey::gpuModel);

    @Override
    public int compareTo(LedgerKey o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return workload + " | " + site + " | " + gpuModel;
    }
}
