package costline.app.quickstart;

import costline.app.view.LiveState;
import costline.events.BreakEvenRecommendation;
import costline.events.CostRecord;
import costline.events.DriftSignal;
import costline.events.SpendAlert;
import costline.schemas.Topics;
import costline.schemas.serde.AvroDeserializer;
import costline.schemas.serde.SerdeConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Feeds the live view from the output topics (committed records only), on its own thread. */
final class LiveFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final AvroDeserializer<Object> decoder = new AvroDeserializer<>();
    private final LiveState state;
    private final Thread thread;

    LiveFeed(Properties client, String registryUrl, LiveState state) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "costline-quickstart-view-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.decoder.configure(Map.of(SerdeConfig.REGISTRY_URL, registryUrl), false);
        this.state = state;
        this.thread = new Thread(this::loop, "quickstart-live-view");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        consumer.subscribe(List.of(Topics.GPU_COST, Topics.GPU_ALERTS, Topics.GPU_BREAKEVEN, Topics.GPU_DRIFT));
        try {
            while (true) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    apply(record);
                }
            }
        } catch (WakeupException closing) {
            // close() was called
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        try {
            Object event = decoder.deserialize(record.topic(), record.value());
            if (event instanceof CostRecord c) {
                state.onCost(c);
            } else if (event instanceof SpendAlert a) {
                state.onAlert(a);
            } else if (event instanceof BreakEvenRecommendation b) {
                state.onRecommendation(b);
            } else if (event instanceof DriftSignal d) {
                state.onDrift(d);
            }
        } catch (RuntimeException e) {
            // The view only displays; the sink dead-letters what it cannot read. A record no view can show (another
            // event's schema, a name or value the state cannot take) must not end the view's thread.
            LOG.debug("live view skips a record of {}: {}", record.topic(), e.getMessage());
        }
    }

    @Override
    public void close() throws InterruptedException {
        consumer.wakeup();
        thread.join(10_000);
    }
}
