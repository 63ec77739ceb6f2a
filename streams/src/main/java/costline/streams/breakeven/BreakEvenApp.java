package costline.streams.breakeven;

import costline.schemas.Topics;
import costline.streams.config.Setting;
import costline.streams.config.Settings;
import costline.streams.runtime.StreamsApp;
import costline.streams.rollup.RollupConfig;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.Topology;

/** Break-even recommendations as a {@code costline streams run} application ("breakeven"). */
public final class BreakEvenApp implements StreamsApp {

    @Override
    public String name() {
        return "breakeven";
    }

    @Override
    public Topology topology(Settings settings) {
        return BreakEvenTopology.build(BreakEvenConfig.from(settings.asMap()));
    }

    @Override
    public Map<String, String> topics() {
        return Map.of(Topics.GPU_COST, "delete", Topics.GPU_PRICES, "compact", Topics.GPU_BREAKEVEN, "compact",
                Topics.GPU_FINANCE_DLQ, "delete");
    }

    @Override
    public String deadLetterTopic() {
        return Topics.GPU_FINANCE_DLQ;
    }

    @Override
    public List<Setting> settings() {
        return List.of(
                new Setting("breakeven.window", "P30D", "trailing demand window"),
                new Setting("breakeven.interval", "PT1H", "how often recommendations are recomputed"),
                new Setting("breakeven.min-history", "P14D", "observed demand needed before advice; below it INSUFFICIENT_HISTORY"),
                new Setting("breakeven.retention", "P31D", "a scope without demand this long is forgotten; longer than breakeven.window (default: the window + 1 day)"));
    }
}
