package costline.streams.cost;

import costline.events.GpuSample;
import costline.events.PriceEntry;
import costline.events.Site;
import costline.pricing.Shares;
import costline.streams.prices.PriceBook;
import costline.streams.prices.PriceKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * The costing of one sample, as a pure function of the sample, the price versions and what was remembered of the
 * samples before it: the cost topology runs it over its state stores, the audit over plain maps, so both reach the
 * same micro-dollars from the same raw inputs.
 *
 * <p>The interval [sample_time - interval, sample_time) is cut at every price version's effective_from inside it:
 * each run is priced at the version in force for it (a version never applies before its effective_from), the
 * sample's energy is split over the runs by their length, and each run is spread over the minutes it covers. The
 * result is a list of {@link Piece}s: one workload's part of one minute.
 */
final class SampleCosting {

    /** One workload's part of one minute of a sample. */
    record Piece(long minuteMs, Part part) {
    }

    /** What the costing remembers per GPU (energy counter) and per (GPU, sample_time) (the pieces it was costed at). */
    interface State {
        /** What was remembered of the GPU's sample at {@code sampleTimeMs}, or null. */
        StateCodec.Seen seen(long sampleTimeMs, String gpuId);

        void seen(long sampleTimeMs, String gpuId, StateCodec.Seen seen);

        EnergyMeter.State energy(String gpuId);

        void energy(String gpuId, EnergyMeter.State state);
    }

    /** The result of costing one sample. */
    sealed interface Outcome permits Duplicate, NoPrice, Costed {
    }

    /** The same body again: nothing to add. */
    record Duplicate() implements Outcome {
    }

    /** Part of the interval has no price in force: the sample is dead-lettered. */
    record NoPrice(String detail) implements Outcome {
    }

    /**
     * The increments to add (for a correction: new pieces minus the remembered ones); {@code previousIntervalMs} is the
     * interval the sample was first costed with (0 when it was not costed before), so the fixed cost it charged can be
     * recomputed ({@link FixedCostAccrual}).
     */
    record Costed(List<Piece> delta, boolean correction, long previousIntervalMs) implements Outcome {
    }

    private SampleCosting() {
    }

    /** {@code <sample time, 15 digits> SEP <gpu id>}: sorts by time (the audit's maps and the cost topology's old seen store). */
    static String seenKey(long sampleTimeMs, String gpuId) {
        return SampleProcessor.pad(sampleTimeMs) + SampleProcessor.SEP + gpuId;
    }

    static Outcome cost(GpuSample s, long bodyHash, PriceBook prices, State state, long energyMaxGapMs) {
        long sampleTimeMs = s.getSampleTime().toEpochMilli();
        String gpuId = s.getGpuId();
        StateCodec.Seen previous = state.seen(sampleTimeMs, gpuId);
        if (previous != null && previous.bodyHash() == bodyHash) {
            return new Duplicate();
        }
        List<Run> runs = runs(s, s.getIntervalMs(), prices);
        if (runs == null) {
            String priceKey = PriceKeys.of(s);
            return new NoPrice("no " + s.getSite() + " price for '" + priceKey + "' in force over "
                    + Instant.ofEpochMilli(s.getSampleTime().toEpochMilli() - s.getIntervalMs()) + " .. " + s.getSampleTime());
        }
        long energyMj = previous != null ? previous.energyMj() : meterEnergy(s, state, energyMaxGapMs);
        List<Piece> pieces = pieces(s, runs, energyMj);
        List<Piece> delta = pieces;
        long previousIntervalMs = 0;
        if (previous != null) {
            List<Piece> before = previous.piecesOr(() -> legacyPieces(s, previous));
            delta = difference(pieces, before);
            // the pieces' GPU-ms sum exactly to the interval they were costed over
            for (Piece p : before) {
                previousIntervalMs += p.part().gpuMs();
            }
        }
        state.seen(sampleTimeMs, gpuId, new StateCodec.Seen(bodyHash, energyMj, pieces));
        return new Costed(delta, previous != null, previousIntervalMs);
    }

    /** A run of the interval priced at one version. */
    record Run(long fromMs, long toMs, PriceEntry price) {
    }

    /**
     * The interval cut at the effective_from of each version inside it, or null when part of it has no price. A spot
     * instance has two candidate keys (its zone's spot price, then its instance type's rate: {@link PriceKeys#candidates}):
     * each run is priced at the first candidate with a version in force, and the interval is cut wherever either changes.
     */
    static List<Run> runs(GpuSample s, long intervalMs, PriceBook prices) {
        List<String> keys = PriceKeys.candidates(s);
        if (keys.isEmpty()) {
            return null;
        }
        // each key's versions looked up once per sample (a look-up reads the catalog's generation from the store)
        @SuppressWarnings("unchecked")
        NavigableMap<Long, PriceEntry>[] versions = new NavigableMap[keys.size()];
        for (int k = 0; k < versions.length; k++) {
            versions[k] = prices.versions(keys.get(k));
        }
        long t = s.getSampleTime().toEpochMilli();
        long from = t - Math.max(1, intervalMs);
        List<Run> runs = new ArrayList<>(1);
        long cur = from;
        while (cur < t) {
            PriceEntry p = null;
            for (int k = 0; k < versions.length && p == null; k++) {
                p = PriceBook.inForce(versions[k], s.getSite(), cur);
            }
            if (p == null) {
                return null;
            }
            long end = t;
            for (NavigableMap<Long, PriceEntry> v : versions) {
                Long next = v.higherKey(cur);
                if (next != null && next < end) {
                    end = next;
                }
            }
            runs.add(new Run(cur, end, p));
            cur = end;
        }
        return runs;
    }

    private static List<Piece> pieces(GpuSample s, List<Run> runs, long energyMj) {
        long[] runEnergy;
        if (runs.size() == 1) {
            runEnergy = new long[] {energyMj};
        } else {
            double[] lengths = new double[runs.size()];
            for (int i = 0; i < lengths.length; i++) {
                lengths[i] = runs.get(i).toMs() - runs.get(i).fromMs();
            }
            runEnergy = Shares.split(energyMj, lengths);
        }
        List<Piece> out = new ArrayList<>();
        for (int r = 0; r < runs.size(); r++) {
            Run run = runs.get(r);
            long ms = run.toMs() - run.fromMs();
            // the sample itself counts once, in the run (and minute) that holds its own time
            int samples = r == runs.size() - 1 ? 1 : 0;
            List<Part> parts = CostCalculator.parts(s, run.price(), runEnergy[r], ms, samples);
            long[] minutes = CostCalculator.minutesCovered(run.toMs(), ms);
            double[] overlap = CostCalculator.overlapMs(minutes, run.toMs(), ms);
            for (Part p : parts) {
                Part[] spread = CostCalculator.spread(p, overlap);
                for (int i = 0; i < minutes.length; i++) {
                    if (!spread[i].isZero()) {
                        out.add(new Piece(minutes[i], spread[i]));
                    }
                }
            }
        }
        return out;
    }

    /** Pieces of a sample remembered by an earlier layout (parts without minutes): spread as that layout did. */
    private static List<Piece> legacyPieces(GpuSample s, StateCodec.Seen previous) {
        long t = s.getSampleTime().toEpochMilli();
        // that layout did not keep the interval; a correction rarely changes it
        long[] minutes = CostCalculator.minutesCovered(t, s.getIntervalMs());
        double[] overlap = CostCalculator.overlapMs(minutes, t, s.getIntervalMs());
        List<Piece> out = new ArrayList<>();
        for (Part p : previous.legacyParts()) {
            Part[] spread = CostCalculator.spread(p, overlap);
            for (int i = 0; i < minutes.length; i++) {
                if (!spread[i].isZero()) {
                    out.add(new Piece(minutes[i], spread[i]));
                }
            }
        }
        return out;
    }

    private static long meterEnergy(GpuSample s, State state, long maxGapMs) {
        if (s.getSite() != Site.ONPREM) {
            return 0;
        }
        EnergyMeter.Charge c = EnergyMeter.charge(state.energy(s.getGpuId()), s.getSampleTime().toEpochMilli(),
                s.getIntervalMs(), s.getEnergyCounterMj(), s.getPowerW(), maxGapMs, PowerBounds.maxWatts(s.getGpuModel()));
        if (c.next() != null) {
            state.energy(s.getGpuId(), c.next());
        }
        return c.energyMj();
    }

    /** New pieces minus old, per (minute, workload); zero differences are left out. */
    static List<Piece> difference(List<Piece> now, List<Piece> before) {
        Map<String, Piece> byKey = new LinkedHashMap<>();
        for (Piece p : now) {
            byKey.merge(p.minuteMs() + "|" + p.part().workload(), p, (a, b) -> new Piece(a.minuteMs(), a.part().plus(b.part())));
        }
        for (Piece old : before) {
            String k = old.minuteMs() + "|" + old.part().workload();
            Piece cur = byKey.getOrDefault(k, new Piece(old.minuteMs(), Part.zero(old.part().workload(), old.part().team())));
            byKey.put(k, new Piece(old.minuteMs(), cur.part().minus(old.part())));
        }
        List<Piece> out = new ArrayList<>();
        for (Piece p : byKey.values()) {
            if (!p.part().isZero()) {
                out.add(p);
            }
        }
        return out;
    }
}
