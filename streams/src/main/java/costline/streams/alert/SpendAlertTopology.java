package costline.streams.alert;

import costline.streams.config.DecodedSource;
import costline.schemas.Topics;
import costline.events.CostRecord;
import costline.events.Site;
import costline.events.SpendAlert;
import costline.schemas.serde.AvroSerde;
import costline.streams.finance.DeadLetters;
import costline.streams.config.JsonSerde;
import costline.schemas.registry.SchemaRegistries;
import costline.streams.config.StateStores;
import costline.streams.prices.PriceStore;
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
 * Spend alerts: cloud month-to-date spend against the on-prem line, per workload and for the fleet, one
 * SpendAlert per state transition (see {@link AlertProcessor}, {@link OnPremLine}).
 *
 * <p>Each cloud CostRecord is sent twice: keyed by its workload and keyed by {@link Topics#FLEET}, then
 * repartitioned by that scope, so one task sees all of a scope's records (the fleet's peak is the peak of the
 * summed minutes, not the sum of the workloads' peaks). On-prem prices come from a global store of gpu.prices.
 * Run with {@code processing.guarantee=exactly_once_v2}, so a transition is sent once even after a crash.
 */
public final class SpendAlertTopology {

    public static final String STORE = "alert-scope-month";
    /** Writes the processor's held state before each commit ({@link costline.streams.runtime.CommitHook}). */
    public static final String COMMIT_HOOK = "alert-commit-hook";
    public static final String PRICES = "alert-prices";

    private SpendAlertTopology() {
    }

    public static Topology build(AlertConfig config) {
        return build(config, true);
    }

    /** With {@code persistent} false the store is in memory (still changelogged): see {@link StateStores}. */
    public static Topology build(AlertConfig config, boolean persistent) {
        Serde<CostRecord> costSerde = AvroSerde.forValues(config.registryUrl(), CostRecord.class);
        Serde<SpendAlert> alertSerde = AvroSerde.forValues(config.registryUrl(), SpendAlert.class);

        StreamsBuilder builder = new StreamsBuilder();
        PriceStore.addTo(builder, PRICES, SchemaRegistries.forUrl(config.registryUrl()));
        builder.addStateStore(Stores.keyValueStoreBuilder(StateStores.keyValue(STORE, persistent), Serdes.String(),
                new JsonSerde<>(ScopeMonth.class))); // written back once per scope per commit by the processor's StateCache
        builder.addStateStore(costline.streams.runtime.CommitHook.store(COMMIT_HOOK));

        // decoded inside the topology: a record that does not decode is dead-lettered, never fails the task
        KStream<String, CostRecord> costs = DecodedSource.stream(builder, config.inputTopic(), CostRecord.class,
                config.registryUrl(), config.deadLetterTopic(), "alert-costs");
        DeadLetters.splitInvalid(costs, "alert", config.deadLetterTopic(), costSerde)
                .filter((k, v) -> v.getSite() == Site.CLOUD, Named.as("alert-cloud-only"))
                .flatMap((k, v) -> List.of(KeyValue.pair(v.getWorkload(), v), KeyValue.pair(Topics.FLEET, v)),
                        Named.as("alert-workload-and-fleet"))
                .repartition(Repartitioned.with(Serdes.String(), costSerde).withName("alert-by-scope"))
                .process(() -> new AlertProcessor(config, PRICES), Named.as("alert-state-machine"), STORE, COMMIT_HOOK)
                .to(config.outputTopic(), Produced.with(Serdes.String(), alertSerde).withName("alert-out"));
        return builder.build();
    }
}
