package costline.collectors.publish;

import java.io.Flushable;
import java.io.IOException;
import costline.collectors.SampleSink;
import costline.events.GpuSample;
import costline.schemas.registry.RegistryUnavailableException;
import costline.schemas.serde.AvroSerializer;
import costline.schemas.serde.SerdeConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes GpuSamples to Kafka, keyed by GPU id, Avro in the Confluent wire format; any collector hands it samples
 * through {@link SampleSink}. The producer is idempotent with acks=all, so a retried batch is written once.
 *
 * <p>Outages: {@link #accept} never blocks the collector. Samples wait in a bounded buffer (bufferMaxSamples counts
 * every sample not yet acknowledged, whether still queued here or inside the producer); one sender thread hands them
 * to the producer, which retries until the brokers are back, for up to deliveryTimeout. A send that fails for a
 * retriable reason (no metadata yet, registry down, delivery timeout) goes back to the head of the buffer and is
 * tried again with backoff. When the buffer is full, new samples are dropped: counted in {@link #stats()} and logged
 * (at most every 10 s). A sample given back after a delivery timeout may have reached the broker after all (the
 * request's outcome is unknown), so it may be written twice; consumers can tell by (gpu_id, sample_time).
 */
public final class KafkaSamplePublisher implements SampleSink, Flushable, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaSamplePublisher.class);
    private static final long DROP_LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** A running total once a minute, so that an SRE sees the publisher keeping up (or not) in the log. */
    private static final long REPORT_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** Longest wait of {@link #flush()}. */
    public static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(60);

    private final Producer<String, GpuSample> producer;
    private final String topic;
    private final int bufferMax;
    private final LinkedBlockingDeque<GpuSample> queue = new LinkedBlockingDeque<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final Thread sender;
    private volatile boolean closing;
    private long lastDropLog;
    private long droppedAtLastLog;

    KafkaSamplePublisher(Producer<String, GpuSample> producer, String topic, int bufferMax) {
        this.producer = producer;
        this.topic = topic;
        this.bufferMax = bufferMax;
        this.sender = new Thread(this::sendLoop, "costline-sample-sender");
        this.sender.setDaemon(true);
        this.sender.start();
    }

    public static KafkaSamplePublisher create(PublisherSettings settings) {
        AvroSerializer<GpuSample> values = new AvroSerializer<>();
        values.configure(Map.of(SerdeConfig.REGISTRY_URL, settings.registryUrl()), false);
        return new KafkaSamplePublisher(new KafkaProducer<>(producerProperties(settings), new StringSerializer(),
                values), settings.topic(), settings.bufferMaxSamples());
    }

    static Properties producerProperties(PublisherSettings settings) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, settings.clientId());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        p.put(ProducerConfig.RETRIES_CONFIG, Integer.toString(Integer.MAX_VALUE));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(settings.deliveryTimeout().toMillis()));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        // Blocking in send() only holds up the sender thread, never the collector; keep it short so that a
        // sample without metadata is given back to the buffer and retried.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "2000");
        // The producer's own memory must hold the whole buffer (a sample is ~300 bytes on the wire), so that its
        // limit never bites before ours does.
        long memory = Math.max(32L << 20, (long) settings.bufferMaxSamples() * 2048);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(memory));
        p.putAll(settings.producerOverrides());
        return p;
    }

    /**
     * Takes a sample into the buffer, its names put under the one rule first ({@link SampleNames}: every collector's
     * sample passes here), or drops it (counted, logged) when the buffer is full or no valid GPU id, host, model or
     * placement can be made of its names. Never blocks.
     */
    @Override
    public void accept(GpuSample raw) {
        if (closing) {
            throw new IllegalStateException("publisher is closed");
        }
        GpuSample sample = SampleNames.normalise(raw);
        if (sample == null) {
            refused.incrementAndGet();
            log.error("sample at {} not published: no valid name can be made of its GPU id '{}', host '{}', model '{}'"
                    + " or cloud placement", raw.getSampleTime(), raw.getGpuId(), raw.getHost(), raw.getGpuModel());
            return;
        }
        while (true) {
            int now = pending.get();
            if (now >= bufferMax) {
                dropped.incrementAndGet();
                logDrops();
                return;
            }
            if (pending.compareAndSet(now, now + 1)) {
                break;
            }
        }
        accepted.incrementAndGet();
        queue.offerLast(sample);
    }

    private synchronized void logDrops() {
        long now = System.nanoTime();
        if (lastDropLog == 0 || now - lastDropLog >= DROP_LOG_EVERY_NANOS) {
            long total = dropped.get();
            log.warn("sample buffer full ({} samples not yet acknowledged by Kafka): dropped {} sample(s) since the "
                    + "last report, {} in all; raise --buffer-max-samples to ride out longer outages",
                    bufferMax, total - droppedAtLastLog, total);
            lastDropLog = now;
            droppedAtLastLog = total;
        }
    }

    private void sendLoop() {
        long backoffMs = 0;
        long nextReport = System.nanoTime() + REPORT_EVERY_NANOS;
        while (!closing || !queue.isEmpty()) {
            if (System.nanoTime() >= nextReport) {
                nextReport = System.nanoTime() + REPORT_EVERY_NANOS;
                log.info("samples: {}", stats());
            }
            GpuSample sample;
            try {
                sample = queue.pollFirst(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (sample == null) {
                continue;
            }
            try {
                producer.send(new ProducerRecord<>(topic, sample.getGpuId(), sample), (metadata, error) -> {
                    if (error == null) {
                        published.incrementAndGet();
                        pending.decrementAndGet();
                    } else if (error instanceof RetriableException) {
                        retried.incrementAndGet();
                        log.warn("sample for {} not acknowledged ({}); back into the buffer", sample.getGpuId(),
                                error.toString());
                        queue.offerFirst(sample);
                    } else {
                        giveUp(sample, error);
                    }
                });
                backoffMs = 0;
            } catch (RuntimeException e) {
                if (closing) {
                    queue.offerFirst(sample);
                    return; // interrupted or closed under us: the sample stays counted as unacknowledged
                }
                if (isRetriable(e)) {
                    retried.incrementAndGet();
                    queue.offerFirst(sample);
                    backoffMs = backoffMs == 0 ? 100 : Math.min(5_000, backoffMs * 2);
                    log.warn("cannot send yet ({}); retrying in {} ms", e.toString(), backoffMs);
                    try {
                        Thread.sleep(backoffMs);
                    } catch (InterruptedException ie) {
                        return;
                    }
                } else {
                    giveUp(sample, e);
                }
            }
        }
    }

    private static boolean isRetriable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RetriableException || t instanceof RegistryUnavailableException) {
                return true;
            }
        }
        return false;
    }

    private void giveUp(GpuSample sample, Throwable error) {
        failed.incrementAndGet();
        pending.decrementAndGet();
        log.error("sample for {} at {} rejected for good and not published: {}", sample.getGpuId(),
                sample.getSampleTime(), error instanceof KafkaException ? error.toString() : String.valueOf(error));
    }

    public PublisherStats stats() {
        return new PublisherStats(accepted.get(), published.get(), dropped.get(), failed.get(), retried.get(),
                pending.get(), refused.get());
    }

    /**
     * Waits until every sample accepted so far is acknowledged by Kafka: the CloudWatch poller flushes before it
     * moves its watermarks, so a crash after that point loses nothing. Gives up after {@link #FLUSH_TIMEOUT}
     * (the brokers are away) with an IOException: the caller keeps its watermarks and reads the periods again.
     */
    @Override
    public void flush() throws IOException {
        long deadline = System.nanoTime() + FLUSH_TIMEOUT.toNanos();
        while (pending.get() > 0) {
            if (System.nanoTime() > deadline) {
                throw new IOException(pending.get() + " sample(s) not acknowledged by Kafka within " + FLUSH_TIMEOUT);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while flushing", e);
            }
        }
    }

    /**
     * Waits up to {@code timeout} for the buffer to empty (every sample acknowledged), then closes the producer.
     * What is still unacknowledged then is lost and logged.
     */
    public void close(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        // Not producer.flush(): it would wait out the delivery timeout (minutes) while the brokers are away.
        while (pending.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        closing = true;
        sender.interrupt();
        try {
            sender.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
        PublisherStats s = stats();
        if (s.pending() > 0 || s.dropped() > 0 || s.failed() > 0) {
            log.warn("publisher closed with {} sample(s) unacknowledged; {} dropped and {} failed in all",
                    s.pending(), s.dropped(), s.failed());
        } else {
            log.info("publisher closed: {} sample(s) published", s.published());
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
