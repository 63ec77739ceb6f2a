package costline.streams.sink;

import costline.events.BillReconciliation;
import costline.events.BreakEvenRecommendation;
import costline.events.CostRecord;
import costline.events.DriftSignal;
import costline.events.GpuSample;
import costline.events.MonthlyRollup;
import costline.events.PriceEntry;
import costline.events.SpendAlert;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistry;
import costline.schemas.serde.AvroDeserializer;
import costline.streams.cost.CostSettings;
import costline.streams.cost.SampleRules;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;

/**
 * Decodes a record of one of the output topics and maps it to its point with {@link InfluxPoints}. A raw sample is
 * first validated by the cost topology's own rules ({@link SampleRules}): one the cost topology refuses is not a
 * point either, it is {@link Refused}.
 */
final class PointDecoder {

    /** A sample the rules refuse: dead-lettered by the sink with the same reason the cost topology gives. */
    static final class Refused extends RuntimeException {
        final SampleRules.Problem problem;

        Refused(SampleRules.Problem problem) {
            super(problem.detail(), null, false, false);
            this.problem = problem;
        }
    }

    private final Map<String, Function<byte[], LinePoint>> byTopic = new HashMap<>();

    PointDecoder(SchemaRegistry registry) {
        this(registry, CostSettings.from(costline.streams.config.Settings.of(Map.of("schema.registry.url", "unused"))),
                System::currentTimeMillis);
    }

    PointDecoder(SchemaRegistry registry, CostSettings rules, java.util.function.LongSupplier clock) {
        add(registry, Topics.GPU_SAMPLES, GpuSample.class, s -> {
            SampleRules.Problem p = SampleRules.check(s, clock.getAsLong(), rules.maxIntervalMs(), rules.maxFutureMs(),
                    rules.maxAgeMs());
            if (p != null) {
                throw new Refused(p);
            }
            return InfluxPoints.sample(s);
        });
        add(registry, Topics.GPU_COST, CostRecord.class, InfluxPoints::cost);
        add(registry, Topics.GPU_DRIFT, DriftSignal.class, InfluxPoints::drift);
        add(registry, Topics.GPU_BREAKEVEN, BreakEvenRecommendation.class, InfluxPoints::breakeven);
        add(registry, Topics.GPU_ALERTS, SpendAlert.class, InfluxPoints::alert);
        add(registry, Topics.GPU_ROLLUP_MONTHLY, MonthlyRollup.class, InfluxPoints::rollup);
        add(registry, Topics.GPU_PRICES, PriceEntry.class, InfluxPoints::price);
        add(registry, Topics.GPU_RECONCILE, BillReconciliation.class, InfluxPoints::reconcile);
    }

    private <T extends SpecificRecord> void add(SchemaRegistry registry, String topic, Class<T> type, Function<T, LinePoint> map) {
        AvroDeserializer<T> d = new AvroDeserializer<>(registry, type);
        byTopic.put(topic, bytes -> {
            T event = d.deserialize(topic, bytes);
            return event == null ? null : map.apply(event);
        });
    }

    boolean knows(String topic) {
        return byTopic.containsKey(topic);
    }

    /** The point, or null for a tombstone; throws on bytes that do not decode. */
    LinePoint decode(String topic, byte[] value) {
        Function<byte[], LinePoint> f = byTopic.get(topic);
        if (f == null) {
            throw new IllegalArgumentException("the sink has no mapping for topic " + topic);
        }
        return f.apply(value);
    }
}
