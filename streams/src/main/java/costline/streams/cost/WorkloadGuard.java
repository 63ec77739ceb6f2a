package costline.streams.cost;

import costline.events.GpuSample;
import costline.events.WorkloadShare;
import costline.schemas.Topics;
import java.util.ArrayList;
import java.util.List;

/**
 * The cardinality guard: at most {@code limit} distinct workload names per site and UTC day in one cost task. A
 * sample's share of a name beyond the limit is costed to the reserved workload {@link Topics#OVERFLOW} (no team), so
 * a job that makes up a new name per run, or a mislabelled fleet, cannot put millions of series into the store and
 * the rollups. No money is lost: the overflow workload carries it, minute by minute, like any other.
 *
 * <p>A pure function of the sample and what the task remembers (the names admitted so far per site and day): the
 * cost topology runs it over a changelogged store, the audit's {@link BatchFold} over a map, partition by partition
 * in the same order, so both cost the same names to overflow and the audit still finds no difference. A name once
 * admitted stays admitted for the day, and one refused stays refused (the day's set only grows): a duplicate or a
 * correction of a sample is costed to the same workloads as the sample itself. Reserved names (the collectors'
 * {@code unallocated} marker) are neither counted nor replaced.
 */
final class WorkloadGuard {

    static final long DAY_MS = 86_400_000L;

    /** What the guard remembers per site and day: the admitted names and their number. */
    interface Names {
        boolean admitted(String dayKey, String workload);

        int count(String dayKey);

        /** Remembers {@code workload} as admitted; {@code count} is the day's number of names with it. */
        void admit(String dayKey, String workload, int count);
    }

    /** The sample to cost (the same instance when nothing overflowed) and how many shares went to overflow. */
    record Result(GpuSample sample, int overflowed, String dayKey) {
    }

    private WorkloadGuard() {
    }

    /** {@code <day start, 15 digits> SEP <site>}: keys sort by day, so old days are one range to delete. */
    static String dayKey(GpuSample s) {
        // the day holding the sample's last millisecond, as the minute it is counted in
        long day = Math.floorDiv(s.getSampleTime().toEpochMilli() - 1, DAY_MS) * DAY_MS;
        int site = s.getSite().ordinal();
        DayKey k = LAST_DAY_KEYS[site]; // immutable: a thread sees it whole, or the one before
        if (k == null || k.dayMs() != day) {
            k = new DayKey(day, SampleProcessor.pad(day) + SampleProcessor.SEP + s.getSite().name());
            LAST_DAY_KEYS[site] = k;
        }
        // the same String instance sample after sample: its hash is computed once for the names memo's lookups
        return k.key();
    }

    private record DayKey(long dayMs, String key) {
    }

    /** The last day key built, per site. */
    private static final DayKey[] LAST_DAY_KEYS = new DayKey[costline.events.Site.values().length];

    /** The first day key still needed when the oldest sample a task may accept is at {@code oldestAcceptedMs}. */
    static String firstDayNeeded(long oldestAcceptedMs) {
        return SampleProcessor.pad(Math.max(0, Math.floorDiv(oldestAcceptedMs - 1, DAY_MS) * DAY_MS));
    }

    static Result apply(GpuSample s, Names names, int limit) {
        List<WorkloadShare> shares = s.getWorkloads();
        if (shares == null || shares.isEmpty()) {
            return new Result(s, 0, null);
        }
        String day = dayKey(s);
        List<WorkloadShare> out = null;
        int overflowed = 0;
        for (int i = 0; i < shares.size(); i++) {
            WorkloadShare w = shares.get(i);
            String name = w.getWorkload();
            boolean keep = Topics.isReserved(name) || names.admitted(day, name);
            if (!keep) {
                int count = names.count(day);
                if (count < limit) {
                    names.admit(day, name, count + 1);
                    keep = true;
                }
            }
            if (!keep) {
                if (out == null) {
                    out = new ArrayList<>(shares.subList(0, i));
                }
                out.add(WorkloadShare.newBuilder(w).setWorkload(Topics.OVERFLOW).setTeam(null).build());
                overflowed++;
            } else if (out != null) {
                out.add(w);
            }
        }
        if (out == null) {
            return new Result(s, 0, day);
        }
        return new Result(GpuSample.newBuilder(s).setWorkloads(out).build(), overflowed, day);
    }
}
