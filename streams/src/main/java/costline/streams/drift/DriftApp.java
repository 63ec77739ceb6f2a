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
        return DriftTopology.build(DriftConfig.from(settings), CostSettings.from(settings),
                WorkloadBatching.from(settings), true);
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
    public java.time.Duration commitInterval(Settings settings) {
        // the default yields to a shorter transaction timeout the operator set; a drift.commit-interval set too does not
        return settings.has(DriftConfig.COMMIT_INTERVAL.key()) ? settings.duration(DriftConfig.COMMIT_INTERVAL)
                : costline.streams.config.KafkaSettings.withinTransactionTimeout(settings, settings.duration(DriftConfig.COMMIT_INTERVAL));
    }

    @Override
    public List<Setting> settings() {
        // gpu.samples is read under the cost topology's rules, with its limits
        List<Setting> all = new java.util.ArrayList<>(DriftConfig.SETTINGS);
        all.addAll(List.of(CostSettings.MAX_INTERVAL, CostSettings.MAX_FUTURE, CostSettings.MAX_AGE));
        return List.copyOf(all);
    }
}
