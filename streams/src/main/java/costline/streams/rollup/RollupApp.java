package costline.streams.rollup;

import costline.schemas.Topics;
import costline.streams.config.Setting;
import costline.streams.config.Settings;
import costline.streams.runtime.StreamsApp;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.Topology;

/** Monthly rollups as a {@code costline streams run} application ("rollup"). */
public final class RollupApp implements StreamsApp {

    @Override
    public String name() {
        return "rollup";
    }

    @Override
    public Topology topology(Settings settings) {
        return MonthlyRollupTopology.build(RollupConfig.from(settings));
    }

    @Override
    public Map<String, String> topics() {
        // Rollups carry event time: compaction, never time retention, or past months would be deleted.
        return Map.of(Topics.GPU_COST, "delete", Topics.GPU_ROLLUP_MONTHLY, "compact", Topics.GPU_FINANCE_DLQ, "delete");
    }

    @Override
    public String deadLetterTopic() {
        return Topics.GPU_FINANCE_DLQ;
    }

    @Override
    public List<Setting> settings() {
        return RollupConfig.SETTINGS;
    }
}
