package costline.streams.cost;

import costline.events.GpuSample;
import costline.events.PriceEntry;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistry;
import costline.schemas.serde.AvroDeserializer;
import costline.streams.config.Decoding;
import costline.streams.prices.PriceBook;
import costline.streams.prices.PriceKeys;
import costline.streams.prices.PriceRules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The cost of raw inputs recomputed in a plain batch fold, with none of the Streams state: gpu.samples partition by
 * partition in offset order (the order the cost topology saw them in), priced with every accepted version of
 * gpu.prices, through the same pure code as the topology ({@link SampleCosting}, {@link SampleValidator},
 * {@link CostCalculator}). The audit compares its result with gpu.cost, the rollups, the store and the CSV; the
 * property test with the topologies.
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
        SampleCosting.Outcome o = SampleCosting.cost(s, SampleProcessor.bodyHash(value), prices, st, cfg.energyMaxGapMs());
        if (!(o instanceof SampleCosting.Costed c)) {
            if (o instanceof SampleCosting.NoPrice) {
                refuse(DlqReason.NO_PRICE.name());
            }
            return;
        }
        costed++;
        for (SampleCosting.Piece piece : c.delta()) {
            Part p = piece.part();
            sink.accept(s, new Increment(piece.minuteMs(), p.workload(), p.team(), s.getSite().name(), s.getGpuModel(),
                    p.gpuMs(), p.busyGpuMs(), p.costMicroUsd(), p.idleMicroUsd(), p.energyMj()));
        }
        long t = s.getSampleTime().toEpochMilli();
        if (t > st.watermarkMs) {
            st.watermarkMs = t;
        }
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

    /** The fold's memory of one partition, in plain maps. */
    private static final class PartitionState implements SampleCosting.State {
        long watermarkMs = Long.MIN_VALUE;
        final Map<String, StateCodec.Seen> seen = new HashMap<>();
        final Map<String, EnergyMeter.State> energy = new HashMap<>();

        @Override
        public StateCodec.Seen seen(String seenKey) {
            return seen.get(seenKey);
        }

        @Override
        public void seen(String seenKey, StateCodec.Seen s) {
            seen.put(seenKey, s);
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
