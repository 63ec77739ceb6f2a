package costline.streams.drift;

import costline.streams.config.Setting;
import costline.streams.config.Settings;
import costline.streams.config.SettingsException;
import java.time.Duration;

/**
 * How {@link WorkloadBatcher} sends a workload's inputs to the repartition topic.
 *
 * @param sendInterval wall-clock time between sends: each send is one record per workload with inputs held (per task)
 * @param maxBytes     a batch is sent at once when its encoded size reaches this (an upper bound of it), so that no
 *                     record nears the producer's and broker's 1 MiB default limits; 1 sends every input on its own
 */
record WorkloadBatching(Duration sendInterval, int maxBytes) {

    public static final Setting SEND_INTERVAL = Setting.duration("drift.workload-send-interval", "500ms", "10ms", "10s",
            "wall-clock time the GPU side gathers each workload's inputs before it sends them in one repartition record (per task); adds up to this to the workload side's delay");

    /** 256 KiB: a quarter of max.request.size's and message.max.bytes' defaults (an observation is about 100 bytes). */
    static final int MAX_BYTES = 256 * 1024;

    static final WorkloadBatching DEFAULT = new WorkloadBatching(Duration.ofMillis(500), MAX_BYTES);

    WorkloadBatching {
        SettingsException.require(sendInterval != null && sendInterval.toMillis() >= 1, SEND_INTERVAL.key(),
                sendInterval + " is under a millisecond", "use a duration such as 500ms");
        if (maxBytes < 1) { // not a setting: a constant, or a test's
            throw new IllegalArgumentException("a batch cap of " + maxBytes + " bytes: use at least 1");
        }
    }

    static WorkloadBatching from(Settings settings) {
        return new WorkloadBatching(settings.duration(SEND_INTERVAL), MAX_BYTES);
    }
}
