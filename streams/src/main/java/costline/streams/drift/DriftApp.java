package costline.streams.drift;

import costline.schemas.Topics;
import costline.streams.cost.CostSettings;
import costline.streams.config.Setting;
import costline.streams.config.Settings;
import costline.streams.runtime.StreamsApp;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.Topology;

/** Drift signals as a {@code costline streams run} application ("drift"). */
public final class DriftApp implements StreamsApp {

    @Override
    public String name() {
        return "drift";
    }

    @Override
    public Topology topology(Settings settings) {
        return DriftTopology.build(DriftSettings.from(settings.asMap()), CostSettings.from(settings));
    }

    @Override
    public Map<String, String> topics() {
        return Map.of(Topics.GPU_SAMPLES, "delete", Topics.GPU_COST, "delete", Topics.GPU_DRIFT, "delete",
                Topics.GPU_DRIFT_DLQ, "delete");
    }

    @Override
    public String deadLetterTopic() {
        return Topics.GPU_DRIFT_DLQ;
    }

    @Override
    public List<Setting> settings() {
        return List.of(
                new Setting("drift.idle.floor.pct", "10", "utilization under which a held GPU counts as idle"),
                new Setting("drift.workload.<name>.<key>", null, "per-workload override of any drift threshold"),
                // gpu.samples is read under the cost topology's rules, with its limits
                CostSettings.MAX_INTERVAL_MS, CostSettings.MAX_FUTURE_MS, CostSettings.MAX_AGE_MS);
    }
}
