package costline.streams.cost;

import costline.events.GpuSample;
import costline.events.OwnedGpu;
import costline.events.PriceEntry;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistry;
import costline.schemas.serde.AvroDeserializer;
import costline.streams.config.Decoding;
import costline.streams.prices.PriceBook;
import costline.streams.prices.PriceKeys;
import costline.streams.inventory.InventoryRules;
import costline.streams.prices.PriceRules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * The cost of raw inputs recomputed in a plain batch fold, with none of the Streams state: gpu.samples partition by
 * partition in offset order (the order the cost topology saw them in), priced with every accepted version of
 * gpu.prices, through the same pure code as the topology ({@link SampleCosting}, {@link SampleValidator},
 * {@link CostCalculator}). The audit compares its result with gpu.cost, the rollups, the store and the CSV; the
 * property test with the topologies.
 *
 * <p>Owned GPUs: {@link #inventory} gives the fold gpu.inventory, {@link #close} closes their hours as the topology's
 * clock does ({@link FixedCostAccrual}, the same code): the fixed cost no sample charged goes to {@code unobserved}
 * (increments with a null sample). The audit gives the inventory as it is, then the samples, then closes at its own
 * clock; an inventory entry changed after some of its hours closed is the one thing it folds differently.
 *
 * <p>What it cannot see: the wall clock at processing time, so the samples the topology refused by it
 * (FUTURE_TIMESTAMP, PAST_TIMESTAMP) are told to it from gpu.samples.dlq ({@link #refusedByClock}); and prices loaded
 * after the samples they price (the topology dead-letters those as NO_PRICE): those show up as differences, which is
 * what an audit is for.
 */
public final class BatchFold {

    /** One increment of the fold: workload's part of one minute, for the sample's site and GPU model. */
    public record Increment(long minuteMs, String workload, String team, String site, String gpuModel, long gpuMs,
                            long busyGpuMs, long costMicroUsd, long idleMicroUsd, long energyMj) {
    }

    private final CostSettings cfg;
    private final PriceBook prices;
    private final AvroDeserializer<GpuSample> decoder;
    private final Map<Integer, PartitionState> partitions = new HashMap<>();
    private final BiConsumer<GpuSample, Increment> sink;
    private long costed;
    private final AccrualMaps accrual = new AccrualMaps();
    private long overflowed;
    private final java.util.TreeMap<String, Long> refusedByReason = new java.util.TreeMap<>();
    /** partition -> offset -> reason: samples the topology refused by its wall clock (read back from its DLQ). */
    private final Map<Integer, Map<Long, String>> clockRefused = new HashMap<>();

    /**
     * @param priceVersions every gpu.prices record as (topic key, entry); versions {@link PriceRules} refuses are left
     *                      out, as the price store leaves them out
     * @param sink          receives each increment with the sample it came from
     */
    public BatchFold(CostSettings cfg, SchemaRegistry registry, Map<String, PriceEntry> priceVersions,
                     BiConsumer<GpuSample, Increment> sink) {
        this.cfg = cfg;
        List<PriceEntry> accepted = new ArrayList<>();
        priceVersions.forEach((key, entry) -> {
            if (entry != null && PriceRules.check(key, entry) == null) {
                accepted.add(entry);
            }
        });
        this.prices = PriceBook.of(accepted);
        this.decoder = new AvroDeserializer<>(registry, GpuSample.class);
        this.sink = sink;
    }

    /**
     * Tells the fold that the topology dead-lettered the gpu.samples record at ({@code partition}, {@code offset}) for
     * {@code reason}: one of the checks against its wall clock at processing time (FUTURE_TIMESTAMP, PAST_TIMESTAMP),
     * which a re-read cannot repeat. The fold refuses that record the same way, so it neither costs it nor lets it move
     * the partition's watermark (a sample dated tomorrow would otherwise make every later good sample TOO_LATE here).
     */
    public void refusedByClock(int partition, long offset, String reason) {
        clockRefused.computeIfAbsent(partition, p -> new HashMap<>()).put(offset, reason);
    }

    /** Folds one gpu.samples record (the next of its partition), its offset unknown. */
    public void add(int partition, byte[] value) {
        add(partition, -1, value);
    }

    /** Folds the gpu.samples record at {@code offset} of {@code partition} (the next of its partition). */
    public void add(int partition, long offset, byte[] value) {
        String byClock = clockRefused.getOrDefault(partition, Map.of()).get(offset);
        if (byClock != null) {
            refuse(byClock);
            return;
        }
        Decoding.Result<GpuSample> decoded = Decoding.decode(decoder, Topics.GPU_SAMPLES, value);
        if (decoded.refused()) {
            refuse(decoded.refusal().reason()); // dead-lettered by the topology too, with this reason
            return;
        }
        GpuSample s = decoded.value();
        PartitionState st = partitions.computeIfAbsent(partition, p -> new PartitionState());
        // no wall clock here: the future check is the topology's, at processing time
        SampleRules.Problem problem = SampleValidator.check(s, SampleRules.NO_CLOCK, st.watermarkMs, cfg);
        if (problem != null) {
            refuse(problem.reason().name());
            return;
        }
        WorkloadGuard.Result guarded = WorkloadGuard.apply(s, st, cfg.maxWorkloadsPerSitePerDay());
        s = guarded.sample();
        SampleCosting.Outcome o = SampleCosting.cost(s, SampleProcessor.bodyHash(value), prices, st, cfg.energyMaxGapMs());
        if (!(o instanceof SampleCosting.Costed c)) {
            if (o instanceof SampleCosting.NoPrice) {
                refuse(DlqReason.NO_PRICE.name());
            }
            return;
        }
        costed++;
        overflowed += guarded.overflowed();
        for (SampleCosting.Piece piece : c.delta()) {
            Part p = piece.part();
            sink.accept(s, new Increment(piece.minuteMs(), p.workload(), p.team(), s.getSite().name(), s.getGpuModel(),
                    p.gpuMs(), p.busyGpuMs(), p.costMicroUsd(), p.idleMicroUsd(), p.energyMj()));
        }
        FixedCostAccrual.onSample(s, c.previousIntervalMs(), prices, accrual, this::unobserved);
        long t = s.getSampleTime().toEpochMilli();
        if (t > st.watermarkMs) {
            st.watermarkMs = t;
            st.forgetBefore(t - cfg.dedupWindowMs(), t - cfg.stateRetentionMs());
        }
    }

    /**
     * One gpu.inventory record (null: a tombstone): the entry in force for the GPU from now on, as the topology keeps
     * it; a record {@link InventoryRules} refuses is left out (the topology dead-letters it).
     */
    public void inventory(String gpuId, OwnedGpu gpu) {
        inventory(0, gpuId, gpu);
    }

    /** {@link #inventory(String, OwnedGpu)} read from partition {@code partition} of gpu.inventory (that of the GPU's samples). */
    public void inventory(int partition, String gpuId, OwnedGpu gpu) {
        if (gpu == null) {
            accrual.inventory.remove(gpuId);
            accrual.charged.remove(gpuId);
        } else if (InventoryRules.check(gpuId, gpu) == null) {
            accrual.inventory.put(gpuId, gpu);
            accrual.partitionOf.put(gpuId, partition);
        }
    }

    /**
     * Closes the owned GPUs' hours as the topology's punctuation does at {@code wallClockMs}: those that end at or before
     * the clock minus the grace; with {@code cost.unobserved-clock=STREAM_TIME}, the clock of each GPU is the newest
     * sample time of its partition folded so far (the argument is not used).
     */
    public void close(long wallClockMs) {
        if (!cfg.unobservedStreamTime()) {
            FixedCostAccrual.close(wallClockMs, cfg.unobservedGraceMs(), cfg.maxAgeMs(), prices, accrual, this::unobserved, Long.MAX_VALUE);
            return;
        }
        for (Map.Entry<Integer, PartitionState> p : partitions.entrySet()) {
            if (p.getValue().watermarkMs != Long.MIN_VALUE) {
                FixedCostAccrual.close(p.getValue().watermarkMs, cfg.unobservedGraceMs(), cfg.maxAgeMs(), prices,
                        accrual.partition(p.getKey()), this::unobserved, Long.MAX_VALUE);
            }
        }
    }

    private void unobserved(long minuteMs, String gpuModel, Part p) {
        sink.accept(null, new Increment(minuteMs, p.workload(), p.team(), costline.events.Site.ONPREM.name(), gpuModel,
                p.gpuMs(), p.busyGpuMs(), p.costMicroUsd(), p.idleMicroUsd(), p.energyMj()));
    }

    /** Workload shares the cardinality guard costed to overflow. */
    public long overflowed() {
        return overflowed;
    }

    /** Samples costed (corrections included). */
    public long costed() {
        return costed;
    }

    /** Samples the fold could not cost (undecodable, invalid, unpriced, too late, refused by the topology's clock). */
    public long refused() {
        return refusedByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * The refused samples by reason: the cost topology's dead-letter reasons, so the figures match its
     * {@code dlq.<REASON>} counters and gpu.samples.dlq record for record.
     */
    public Map<String, Long> refusedByReason() {
        return Map.copyOf(refusedByReason);
    }

    private void refuse(String reason) {
        refusedByReason.merge(reason, 1L, Long::sum);
    }

    /** The version of {@code priceKey} in force at {@code atMs} among the accepted ones. */
    public PriceEntry priceAt(String priceKey, long atMs) {
        return prices.at(priceKey, atMs);
    }

    static String priceKeyOf(GpuSample s) {
        return PriceKeys.of(s);
    }

    /** The accrual's memory in plain maps (GPU ids are unique across partitions). */
    private static final class AccrualMaps implements FixedCostAccrual.State {
        final Map<String, OwnedGpu> inventory;
        final Map<String, Long> cursors;
        final Map<String, TreeMap<Long, long[]>> charged;
        final Map<String, Integer> partitionOf;
        /** The one partition whose GPUs {@link #gpuIds} lists, or null for all. */
        private final Integer only;

        AccrualMaps() {
            this(new java.util.LinkedHashMap<>(), new HashMap<>(), new HashMap<>(), new HashMap<>(), null);
        }

        private AccrualMaps(Map<String, OwnedGpu> inventory, Map<String, Long> cursors,
                            Map<String, TreeMap<Long, long[]>> charged, Map<String, Integer> partitionOf, Integer only) {
            this.inventory = inventory;
            this.cursors = cursors;
            this.charged = charged;
            this.partitionOf = partitionOf;
            this.only = only;
        }

        /** The same memory, with only the GPUs of one partition to close. */
        AccrualMaps partition(int partition) {
            return new AccrualMaps(inventory, cursors, charged, partitionOf, partition);
        }

        @Override
        public OwnedGpu gpu(String gpuId) {
            return inventory.get(gpuId);
        }

        @Override
        public Iterable<String> gpuIds() {
            List<String> ids = new ArrayList<>();
            inventory.keySet().forEach(id -> {
                if (only == null || partitionOf.getOrDefault(id, 0).equals(only)) {
                    ids.add(id);
                }
            });
            return ids;
        }

        @Override
        public Long cursor(String gpuId) {
            return cursors.get(gpuId);
        }

        @Override
        public void cursor(String gpuId, long hourMs) {
            cursors.put(gpuId, hourMs);
        }

        @Override
        public long[] charged(String gpuId, long hourMs) {
            long[] v = charged.getOrDefault(gpuId, new TreeMap<>()).get(hourMs);
            return v == null ? new long[2] : v.clone();
        }

        @Override
        public void charged(String gpuId, long hourMs, long[] microUsdAndMs) {
            charged.computeIfAbsent(gpuId, g -> new TreeMap<>()).put(hourMs, microUsdAndMs.clone());
        }

        @Override
        public NavigableMap<Long, long[]> takeCharged(String gpuId, long beforeHourMs) {
            TreeMap<Long, long[]> all = charged.get(gpuId);
            if (all == null) {
                return new TreeMap<>();
            }
            NavigableMap<Long, long[]> head = new TreeMap<>(all.headMap(beforeHourMs, false));
            all.headMap(beforeHourMs, false).clear();
            return head;
        }
    }

    /**
     * The fold's memory of one partition, in plain maps, forgetting what the topology forgets (so a month of samples
     * does not stay in memory): (GPU, time) behind the de-duplication window, guard days before it, and energy
     * baselines older than the retention (which changes no charge: see {@link CostSettings#STATE_RETENTION}).
     */
    private static final class PartitionState implements SampleCosting.State, WorkloadGuard.Names {
        long watermarkMs = Long.MIN_VALUE;
        final java.util.NavigableMap<String, StateCodec.Seen> seen = new java.util.TreeMap<>();
        final Map<String, EnergyMeter.State> energy = new HashMap<>();
        final java.util.NavigableMap<String, Long> names = new java.util.TreeMap<>();
        private long forgotAtMs = Long.MIN_VALUE;

        void forgetBefore(long oldestAcceptedMs, long energyCutoffMs) {
            if (forgotAtMs != Long.MIN_VALUE && oldestAcceptedMs - forgotAtMs < 60_000L) {
                return;
            }
            forgotAtMs = oldestAcceptedMs;
            seen.headMap(SampleProcessor.pad(Math.max(0, oldestAcceptedMs))).clear();
            names.headMap(WorkloadGuard.firstDayNeeded(oldestAcceptedMs)).clear();
            energy.values().removeIf(e -> e.atMs() < energyCutoffMs);
        }

        @Override
        public boolean admitted(String dayKey, String workload) {
            return names.containsKey(dayKey + SampleProcessor.SEP + workload);
        }

        @Override
        public int count(String dayKey) {
            Long c = names.get(dayKey);
            return c == null ? 0 : c.intValue();
        }

        @Override
        public void admit(String dayKey, String workload, int count) {
            names.put(dayKey + SampleProcessor.SEP + workload, 1L);
            names.put(dayKey, (long) count);
        }

        @Override
        public StateCodec.Seen seen(long sampleTimeMs, String gpuId) {
            return seen.get(SampleCosting.seenKey(sampleTimeMs, gpuId));
        }

        @Override
        public void seen(long sampleTimeMs, String gpuId, StateCodec.Seen s) {
            seen.put(SampleCosting.seenKey(sampleTimeMs, gpuId), s);
        }

        @Override
        public EnergyMeter.State energy(String gpuId) {
            return energy.get(gpuId);
        }

        @Override
        public void energy(String gpuId, EnergyMeter.State s) {
            energy.put(gpuId, s);
        }
    }
}
