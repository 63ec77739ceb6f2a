package costline.streams.rollup;

import costline.streams.config.DecodedSource;
import costline.events.CostRecord;
import costline.events.MonthlyRollup;
import costline.schemas.serde.AvroSerde;
import costline.streams.finance.DeadLetters;
import costline.streams.config.JsonSerde;
import costline.streams.config.StateStores;
import costline.streams.finance.MonthCalendar;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * Monthly rollups: CostRecords summed per calendar month (in the configured zone), workload, site and GPU model.
 *
 * <p>Kafka Streams has no calendar windows (months differ in length and zone offsets move), so each record is
 * re-keyed by {@code month|workload|site|gpu model} (which repartitions it) and summed in a key-value store by
 * {@link RollupProcessor}: a key's MONTH_TO_DATE once per {@code rollup.emit-interval} (wall clock) while its totals
 * change, one FINAL after the month's end plus the grace period (stream time), then a numbered CORRECTION for every
 * record later than that. Readers keep the latest record per key (the topic is compacted): they get the same totals
 * as when every increment was sent, with one record per key per interval instead of one per increment. Run it with
 * {@code processing.guarantee=exactly_once_v2}: the store, its changelog and the output then move together, so the
 * totals stay exact across restarts and redelivery.
 */
public final class MonthlyRollupTopology {

    public static final String STORE = "rollup-monthly-store";
    /** Writes the processor's held state before each commit ({@link costline.streams.runtime.CommitHook}). */
    public static final String COMMIT_HOOK = "rollup-commit-hook";

    private MonthlyRollupTopology() {
    }

    public static Topology build(RollupConfig config) {
        return build(config, true);
    }

    /** With {@code persistent} false the store is in memory (still changelogged): see {@link StateStores}. */
    public static Topology build(RollupConfig config, boolean persistent) {
        Serde<CostRecord> costSerde = AvroSerde.forValues(config.registryUrl(), CostRecord.class);
        Serde<MonthlyRollup> rollupSerde = AvroSerde.forValues(config.registryUrl(), MonthlyRollup.class);
        MonthCalendar calendar = new MonthCalendar(config.zone());

        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(StateStores.keyValue(STORE, persistent), Serdes.String(),
                new JsonSerde<>(RollupState.class))); // written back once per key per commit by the processor's StateCache
        builder.addStateStore(costline.streams.runtime.CommitHook.store(COMMIT_HOOK));

        // decoded inside the topology: a record that does not decode is dead-lettered, never fails the task
        KStream<String, CostRecord> costs = DecodedSource.stream(builder, config.inputTopic(), CostRecord.class,
                config.registryUrl(), config.deadLetterTopic(), "rollup-costs");
        KStream<String, CostRecord> valid = DeadLetters.splitInvalid(costs, "rollup", config.deadLetterTopic(), costSerde);
        valid.selectKey((k, v) -> RollupKey.of(calendar.monthOf(v.getWindowStart().toEpochMilli()), v),
                        Named.as("rollup-key-by-month"))
                .repartition(Repartitioned.with(Serdes.String(), costSerde).withName("rollup-by-month"))
                .process(() -> new RollupProcessor(config, calendar), Named.as("rollup-sum"), STORE, COMMIT_HOOK)
                .split(Named.as("rollup-result-"))
                .branch((k, v) -> v instanceof MonthlyRollup, Branched.withConsumer(rollups -> rollups
                        .mapValues(v -> (MonthlyRollup) v, Named.as("rollup-as-rollup"))
                        .to(config.outputTopic(), Produced.with(Serdes.String(), rollupSerde).withName("rollup-out")),
                        "out"))
                // a CostRecord comes back only when its month's totals are past retention: dead-lettered, not lost
                .defaultBranch(Branched.withConsumer(late -> late
                        .mapValues(v -> (CostRecord) v, Named.as("rollup-as-cost"))
                        .to(config.deadLetterTopic(), Produced.with(Serdes.String(), costSerde).withName("rollup-past-retention")),
                        "past-retention"));
        return builder.build();
    }
}
