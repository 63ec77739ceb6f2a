package costline.collectors.publish;

import costline.schemas.Topics;
import java.time.Duration;
import java.util.Map;

/**
 * Settings of the Kafka publisher, validated when built (a bad value stops start-up naming the option and the fix).
 *
 * @param bootstrapServers  Kafka bootstrap servers (--bootstrap-servers; required)
 * @param registryUrl       schema registry base URL, or mock://scope (--schema-registry-url; required)
 * @param topic             topic the samples go to (--topic, default gpu.samples)
 * @param bufferMaxSamples  samples held while Kafka is unreachable, sent or not yet acknowledged; beyond it new
 *                          samples are dropped, counted and logged (--buffer-max-samples, default 20,000: 5 minutes of
 *                          66 GPUs at 1 Hz, about 20 MB of heap)
 * @param deliveryTimeout   how long the producer keeps retrying one record before giving it back to the buffer
 *                          (--delivery-timeout, default 10 min: longer than the outage the buffer is sized for)
 * @param clientId          Kafka client.id (default costline-collector-&lt;host&gt;)
 * @param producerOverrides further producer properties, applied last (--producer-property key=value)
 */
public record PublisherSettings(String bootstrapServers, String registryUrl, String topic, int bufferMaxSamples,
                                Duration deliveryTimeout, String clientId, Map<String, String> producerOverrides) {

    public static final int DEFAULT_BUFFER_MAX_SAMPLES = 20_000;
    public static final Duration DEFAULT_DELIVERY_TIMEOUT = Duration.ofMinutes(10);

    public PublisherSettings {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("--bootstrap-servers is not set: give the Kafka brokers, e.g. "
                    + "kafka-1:9092,kafka-2:9092");
        }
        if (registryUrl == null || registryUrl.isBlank()) {
            throw new IllegalArgumentException("--schema-registry-url is not set: give the schema registry's base URL, "
                    + "e.g. http://registry:8081");
        }
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("--topic is blank: the samples topic is " + Topics.GPU_SAMPLES);
        }
        if (bufferMaxSamples < 1) {
            throw new IllegalArgumentException("--buffer-max-samples must be at least 1 (size it as GPUs x samples per "
                    + "second x outage seconds to ride out), got " + bufferMaxSamples);
        }
        if (deliveryTimeout == null || deliveryTimeout.toMillis() < 31_000) {
            throw new IllegalArgumentException("--delivery-timeout must be at least 31s (Kafka requires it to exceed "
                    + "request.timeout.ms of 30s), got " + deliveryTimeout);
        }
        producerOverrides = producerOverrides == null ? Map.of() : Map.copyOf(producerOverrides);
    }

    public static PublisherSettings of(String bootstrapServers, String registryUrl, String clientId) {
        return new PublisherSettings(bootstrapServers, registryUrl, Topics.GPU_SAMPLES, DEFAULT_BUFFER_MAX_SAMPLES,
                DEFAULT_DELIVERY_TIMEOUT, clientId, Map.of());
    }

    public PublisherSettings withBufferMaxSamples(int max) {
        return new PublisherSettings(bootstrapServers, registryUrl, topic, max, deliveryTimeout, clientId,
                producerOverrides);
    }
}
