package costline.collectors;

import costline.events.GpuSample;

/**
 * Where a collector hands its samples: the Kafka publisher in production, a list or stdout in checks.
 * Collectors poll and map; they do not know about Kafka.
 */
@FunctionalInterface
public interface SampleSink {

    /** Accepts one sample, keyed by its GPU id. Must not block the collector for long. */
    void accept(GpuSample sample);
}
