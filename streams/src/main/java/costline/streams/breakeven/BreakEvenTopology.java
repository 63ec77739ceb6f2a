package costline.streams.breakeven;

import costline.streams.config.DecodedSource;
import costline.schemas.Topics;
import costline.events.BreakEvenRecommendation;
import costline.events.CostRecord;
import costline.events.Site;
import costline.schemas.serde.AvroSerde;
import costline.streams.finance.DeadLetters;
import costline.streams.config.JsonSerde;
import costline.schemas.registry.SchemaRegistries;
import costline.streams.config.StateStores;
import costline.streams.prices.PriceStore;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * Break-even recommendations per workload and for the fleet, per cloud GPU model, from the trailing demand curve.
 *
 * <p>Cloud CostRecords are keyed twice ({@code workload|model} and {@code *fleet*|model}) and repartitioned, so
 * one task holds a scope's whole curve: GPU-ms per minute in a window store whose retention is the demand window
 * (old minutes fall out on their own). {@link BreakEvenProcessor} recomputes every scope on the schedule and a
 * scope at once when its on-prem price changes, with {@link BreakEvenCalculator}.
 */
public final class BreakEvenTopology {

    public static final String DEMAND = "breakeven-demand";
    public static final String SCOPES = "breakeven-scopes";
    public static final String PRICES = "breakeven-prices";
    /** Writes the processor's held state (scopes seen, pending demand minutes) before each commit ({@link costline.streams.runtime.CommitHook}). */
    public static final String COMMIT_HOOK = "breakeven-commit-hook";

    private BreakEvenTopology() {
    }

    /** Output key of a scope and model: {@code <workload or *fleet*>|<gpu model>}. */
    public static String key(String scope, String gpuModel) {
        return scope + "|" + gpuModel;
    }

    public static Topology build(BreakEvenConfig config) {
        return build(config, true);
    }

    /** With {@code persistent} false the stores are in memory (still changelogged): see {@link StateStores}. */
    public static Topology build(BreakEvenConfig config, boolean persistent) {
        Serde<CostRecord> costSerde = AvroSerde.forValues(config.registryUrl(), CostRecord.class);
        Serde<BreakEvenRecommendation> outSerde = AvroSerde.forValues(config.registryUrl(), BreakEvenRecommendation.class);

        StreamsBuilder builder = new StreamsBuilder();
        PriceStore.addTo(builder, PRICES, SchemaRegistries.forUrl(config.registryUrl()));
        // a day more than the window, so a window's first minutes are still there when it is read
        Duration retention = config.window().plusDays(1);
        // Not cached: a record cache in front of the window store kept minutes past the retention visible (the soak
        // counted 36 h of minutes against a 30 h retention); the processor sums a commit's minutes itself
        // (PendingDemand) and adds them to the store before the commit.
        builder.addStateStore(Stores.windowStoreBuilder(
                StateStores.window(DEMAND, retention, Duration.ofMinutes(1), persistent),
                Serdes.String(), new JsonSerde<>(MinuteUsage.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(StateStores.keyValue(SCOPES, persistent), Serdes.String(),
                new JsonSerde<>(ScopeSeen.class))); // written back once per scope per commit by the processor's StateCache
        builder.addStateStore(costline.streams.runtime.CommitHook.store(COMMIT_HOOK));

        // decoded inside the topology: a record that does not decode is dead-lettered, never fails the task
        KStream<String, CostRecord> costs = DecodedSource.stream(builder, config.inputTopic(), CostRecord.class,
                config.registryUrl(), config.deadLetterTopic(), "breakeven-costs");
        DeadLetters.splitInvalid(costs, "breakeven", config.deadLetterTopic(), costSerde)
                .filter((k, v) -> v.getSite() == Site.CLOUD, Named.as("breakeven-cloud-only"))
                .flatMap((k, v) -> List.of(KeyValue.pair(key(v.getWorkload(), v.getGpuModel()), v),
                        KeyValue.pair(key(Topics.FLEET, v.getGpuModel()), v)), Named.as("breakeven-workload-and-fleet"))
                .repartition(Repartitioned.with(Serdes.String(), costSerde).withName("breakeven-by-scope"))
                .process(() -> new BreakEvenProcessor(config), Named.as("breakeven-compute"), DEMAND, SCOPES, COMMIT_HOOK)
                .to(config.outputTopic(), Produced.with(Serdes.String(), outSerde).withName("breakeven-out"));
        return builder.build();
    }
}
