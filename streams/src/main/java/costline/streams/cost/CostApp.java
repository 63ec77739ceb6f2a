package costline.streams.cost;

import costline.schemas.Topics;
import costline.streams.config.Setting;
import costline.streams.config.Settings;
import costline.streams.runtime.StreamsApp;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.Topology;

/** The cost topology as a {@code costline streams run} application ("cost"). */
public final class CostApp implements StreamsApp {

    @Override
    public String name() {
        return "cost";
    }

    @Override
    public Topology topology(Settings settings) {
        return CostTopology.build(CostSettings.from(settings));
    }

    @Override
    public Map<String, String> topics() {
        return Map.of(Topics.GPU_SAMPLES, "delete", Topics.GPU_PRICES, "compact", Topics.GPU_COST, "delete",
                Topics.GPU_SAMPLES_DLQ, "delete", Topics.GPU_PRICES_DLQ, "delete", Topics.GPU_INVENTORY, "compact",
                Topics.GPU_INVENTORY_DLQ, "delete");
    }

    @Override
    public String deadLetterTopic() {
        return Topics.GPU_SAMPLES_DLQ;
    }

    @Override
    public java.time.Duration commitInterval(Settings settings) {
        return CostSettings.commitInterval(settings);
    }

    @Override
    public List<Setting> settings() {
        return CostSettings.ALL;
    }
}
