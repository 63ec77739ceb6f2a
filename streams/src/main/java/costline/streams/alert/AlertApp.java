package costline.streams.alert;

import costline.schemas.Topics;
import costline.streams.config.Setting;
import costline.streams.config.Settings;
import costline.streams.runtime.StreamsApp;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.Topology;

/** Spend alerts (cloud month-to-date against the on-prem line) as a {@code streams run} application ("alerts"). */
public final class AlertApp implements StreamsApp {

    @Override
    public String name() {
        return "alerts";
    }

    @Override
    public Topology topology(Settings settings) {
        return SpendAlertTopology.build(AlertConfig.from(settings));
    }

    @Override
    public Map<String, String> topics() {
        return Map.of(Topics.GPU_COST, "delete", Topics.GPU_PRICES, "compact", Topics.GPU_ALERTS, "delete",
                Topics.GPU_FINANCE_DLQ, "delete");
    }

    @Override
    public String deadLetterTopic() {
        return Topics.GPU_FINANCE_DLQ;
    }

    @Override
    public List<Setting> settings() {
        return AlertConfig.SETTINGS;
    }
}
