package costline.streams.sink;

import costline.schemas.Topics;
import costline.streams.config.Decoding;
import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.InfluxDBClientOptions;
import com.influxdb.client.WriteApiBlocking;
import com.influxdb.exceptions.InfluxException;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.WireFormatException;
import costline.streams.config.InfluxSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the output topics to InfluxDB.
 *
 * <p>Each poll's records become one batch of points ({@link InfluxPoints}), written as line protocol by our own
 * {@link LinePoint} (the same bytes the client's Point writes, at a fraction of its CPU) and sent in one request with
 * influxdb-client-java's blocking API, at microsecond precision; the consumer's offsets are committed only after the batch was accepted. While the store is down
 * the batch is retried with exponential back-off (capped), the partitions are paused and the consumer keeps
 * polling so it stays in its group: nothing is skipped and nothing is committed. A crash between the write and the
 * commit redelivers the batch, which overwrites the same points (same series and timestamp), so nothing doubles.
 *
 * <p>A batch the store rejects as malformed (HTTP 400/413/422: one bad line fails the whole batch) is written point
 * by point; a point still rejected, and a record that does not decode, go to {@link Topics#GPU_SINK_DLQ} as the record
 * itself (original key and bytes) with the reason, detail (for a refused point: the store's answer and the line) and
 * origin headers, and are counted once written. A dead letter that cannot be written leaves the batch uncommitted: it
 * is read again after a back-off ({@code SinkMalformedBatchTest}). Records read with isolation.level=read_committed, so
 * aborted exactly-once output is never written.
 */
public final class InfluxSink implements AutoCloseable {

    /** Dead-letter topic of the sink: records it could not decode or the store refused as malformed. */
    private static final Logger LOG = LoggerFactory.getLogger(InfluxSink.class);

    private final InfluxSettings cfg;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> dlq;
    /** The first dead letter whose send failed since the last commit: the batch is read again instead of committed. */
    private final java.util.concurrent.atomic.AtomicReference<Exception> dlqFailure = new java.util.concurrent.atomic.AtomicReference<>();
    private final InfluxDBClient client;
    private final WriteApiBlocking writer;
    private final PointDecoder decoder;
    /** The dead-letter reason of a point whose time no InfluxDB can store. */
    static final String TIME_OUT_OF_RANGE = "TIME_OUT_OF_RANGE";
    private final AtomicBoolean running = new AtomicBoolean(true);

    private final AtomicLong pointsWritten = new AtomicLong();
    private final AtomicLong batchesWritten = new AtomicLong();
    private final AtomicLong writeRetries = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    /** Topics whose tombstones are legitimate (skipped); a null value elsewhere is dead-lettered. */
    private static final java.util.Set<String> COMPACTED = java.util.Set.of(Topics.GPU_BREAKEVEN, Topics.GPU_ROLLUP_MONTHLY);

    public InfluxSink(Properties kafkaClient, String registryUrl, InfluxSettings cfg) {
        this(kafkaClient, registryUrl, cfg, null);
    }

    /**
     * {@code sampleRules}: the cost settings whose limits (interval, future, age) raw samples must meet to be written,
     * the same the cost topology applies; null for their defaults.
     */
    public InfluxSink(Properties kafkaClient, String registryUrl, InfluxSettings cfg, costline.streams.cost.CostSettings sampleRules) {
        this.cfg = cfg;
        this.consumer = new KafkaConsumer<>(consumerProperties(kafkaClient, cfg), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Properties p = new Properties();
        p.putAll(kafkaClient);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // One dead letter per batch (they are few): a batch of several that the topic refuses as too large is split and
        // retried by the producer, which with compression looped until the delivery timeout (2 min) instead of failing
        // the one record, and held the sink that long (SinkMalformedBatchTest saw it).
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "1");
        this.dlq = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.client = InfluxDBClientFactory.create(InfluxDBClientOptions.builder()
                .url(cfg.url()).authenticateToken(cfg.token()).org(cfg.org()).bucket(cfg.bucket()).build());
        this.writer = client.getWriteApiBlocking();
        this.decoder = sampleRules == null ? new PointDecoder(SchemaRegistries.forUrl(registryUrl))
                : new PointDecoder(SchemaRegistries.forUrl(registryUrl), sampleRules, System::currentTimeMillis);
    }

    /**
     * The consumer's settings: offsets committed by hand after each write, only committed records. A fetch waits for
     * sink.fetch-min-bytes or sink.fetch-wait, so a poll holds what arrived meanwhile (up to sink.batch-size) and is
     * written as one request, one store transaction, instead of one per trickle of records.
     */
    static Properties consumerProperties(Properties kafkaClient, InfluxSettings cfg) {
        Properties c = new Properties();
        c.putAll(kafkaClient);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, cfg.groupId());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(cfg.batchSize()));
        c.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, String.valueOf(cfg.fetchMinBytes()));
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, String.valueOf(cfg.fetchWaitMs()));
        return c;
    }

    /** Consumes and writes until {@link #close()} (from another thread) stops it. */
    public void run() {
        consumer.subscribe(cfg.topics());
        try {
            while (running.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(cfg.flushMs()));
                if (records.isEmpty()) {
                    continue;
                }
                List<String> points = new ArrayList<>(records.count());
                // sources.get(i) made points.get(i): a point the store refuses is dead-lettered as its record
                List<ConsumerRecord<byte[], byte[]>> sources = new ArrayList<>(records.count());
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                try {
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        toPoint(r, points, sources);
                        offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                    }
                } catch (WireFormatException registryDown) {
                    // The schema registry is unreachable: rewind this poll's records and try again after a back-off.
                    LOG.warn("schema registry unavailable ({}); retrying in {} ms", registryDown.getMessage(), cfg.retryInitialMs());
                    for (TopicPartition tp : records.partitions()) {
                        consumer.seek(tp, records.records(tp).get(0).offset());
                    }
                    writeRetries.incrementAndGet();
                    waitPolling(cfg.retryInitialMs());
                    resume();
                    continue;
                }
                if (!write(points, sources)) {
                    return;
                }
                dlq.flush();
                Exception lost = dlqFailure.getAndSet(null);
                if (lost != null) {
                    // A dead letter did not reach gpu.sink.dlq: commit nothing, read the batch again after a back-off
                    // (its points are rewritten in place), so no bad record is dropped without its dead letter.
                    LOG.warn("a dead letter could not be written to {} ({}); retrying the batch in {} ms", Topics.GPU_SINK_DLQ,
                            lost.toString(), cfg.retryInitialMs());
                    for (TopicPartition tp : records.partitions()) {
                        consumer.seek(tp, records.records(tp).get(0).offset());
                    }
                    writeRetries.incrementAndGet();
                    waitPolling(cfg.retryInitialMs());
                    resume(); // waitPolling left the partitions paused: without this the batch was never read again
                    continue;
                }
                try {
                    consumer.commitSync(offsets);
                } catch (org.apache.kafka.clients.consumer.CommitFailedException e) {
                    // Partitions moved to another member meanwhile: it redelivers them, and the points overwrite.
                    LOG.warn("offset commit failed after a rebalance; the new owner rewrites the batch: {}", e.getMessage());
                }
            }
        } catch (WakeupException stopping) {
            // close() was called
        } finally {
            consumer.close(Duration.ofSeconds(10));
        }
    }

    private void toPoint(ConsumerRecord<byte[], byte[]> r, List<String> points, List<ConsumerRecord<byte[], byte[]>> sources) {
        if (r.value() == null && !COMPACTED.contains(r.topic())) {
            // a tombstone only means something on a compacted topic; elsewhere it is a bad record
            deadLetter(r, Decoding.NULL_VALUE, "null value (a tombstone) on a topic of events");
            return;
        }
        if (r.value() != null && r.value().length == 0) {
            deadLetter(r, Decoding.EMPTY_VALUE, "value of 0 bytes"); // the reason every reader gives it (Decoding)
            return;
        }
        try {
            LinePoint p = r.value() == null ? null : decoder.decode(r.topic(), r.value());
            if (p != null && !p.timeStorable()) {
                // QuestDB answers such a line with HTTP 500 (after 9999) that the sink would take for an outage and
                // retry forever, holding the partition; InfluxDB refuses it: it can never be written
                deadLetter(r, TIME_OUT_OF_RANGE, "a time InfluxDB cannot store (outside 1677-09-21 to 2262-04-11): " + p);
                return;
            }
            String line = p == null ? "" : p.toLineProtocol();
            if (line.isEmpty()) { // a tombstone, or a point without a field (a sample without any reading)
                skipped.incrementAndGet();
                return;
            }
            points.add(line);
            sources.add(r);
        } catch (WireFormatException e) {
            if (e.retriable()) {
                throw e;
            }
            deadLetter(r, e.failure().name(), e.getMessage());
        } catch (PointDecoder.Refused e) {
            deadLetter(r, e.problem.reason().name(), e.problem.detail());
        } catch (RuntimeException e) {
            deadLetter(r, "CORRUPT_BODY", String.valueOf(e.getMessage()));
        }
    }

    /** Writes until accepted; false when stopped meanwhile (nothing is committed then). */
    private boolean write(List<String> points, List<ConsumerRecord<byte[], byte[]>> sources) {
        if (points.isEmpty()) {
            return true;
        }
        long backoff = cfg.retryInitialMs();
        while (running.get()) {
            try {
                writer.writeRecord(InfluxPoints.PRECISION, String.join("\n", points));
                pointsWritten.addAndGet(points.size());
                batchesWritten.incrementAndGet();
                resume();
                return true;
            } catch (InfluxException e) {
                if (isMalformed(e.status())) {
                    writeOneByOne(points, sources);
                    resume();
                    return true;
                }
                LOG.warn("InfluxDB write of {} points failed (HTTP {}: {}); retrying in {} ms", points.size(), e.status(),
                        e.getMessage(), backoff);
            } catch (RuntimeException e) {
                LOG.warn("InfluxDB write of {} points failed ({}); retrying in {} ms", points.size(), e.toString(), backoff);
            }
            writeRetries.incrementAndGet();
            waitPolling(backoff);
            backoff = Math.min(backoff * 2, cfg.retryMaxMs());
        }
        return false;
    }

    private void writeOneByOne(List<String> points, List<ConsumerRecord<byte[], byte[]>> sources) {
        for (int i = 0; i < points.size(); i++) {
            String p = points.get(i);
            long backoff = cfg.retryInitialMs();
            while (running.get()) {
                try {
                    writer.writeRecord(InfluxPoints.PRECISION, p);
                    pointsWritten.incrementAndGet();
                    break;
                } catch (InfluxException e) {
                    if (isMalformed(e.status())) {
                        // the record itself (key, bytes, origin) so it can be replayed; the refused line in the detail
                        deadLetter(sources.get(i), "STORE_REJECTED", "HTTP " + e.status() + ": " + e.getMessage() + "; line: " + p);
                        break;
                    }
                } catch (RuntimeException e) {
                    LOG.warn("InfluxDB write failed ({}); retrying in {} ms", e.toString(), backoff);
                }
                writeRetries.incrementAndGet();
                waitPolling(backoff);
                backoff = Math.min(backoff * 2, cfg.retryMaxMs());
            }
        }
    }

    private static boolean isMalformed(int status) {
        return status == 400 || status == 413 || status == 422;
    }

    // While waiting for the store the partitions are paused and poll() returns nothing, but keeps this member in
    // its group (max.poll.interval.ms) so no rebalance hands the uncommitted batch to another member meanwhile.
    private void waitPolling(long ms) {
        consumer.pause(consumer.assignment());
        long until = System.currentTimeMillis() + ms;
        while (running.get() && System.currentTimeMillis() < until) {
            consumer.pause(consumer.assignment());
            ConsumerRecords<byte[], byte[]> unexpected =
                    consumer.poll(Duration.ofMillis(Math.min(100, Math.max(1, until - System.currentTimeMillis()))));
            // A partition assigned between pause() and poll() may deliver records: rewind so none is skipped.
            for (TopicPartition tp : unexpected.partitions()) {
                consumer.seek(tp, unexpected.records(tp).get(0).offset());
            }
        }
    }

    private void resume() {
        if (!consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
        }
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> r, String reason, String detail) {
        RecordHeaders headers = new RecordHeaders(r.headers().toArray());
        headers.add(costline.schemas.Topics.DLQ_REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        headers.add(costline.schemas.Topics.DLQ_DETAIL_HEADER, (r.topic() + ": " + detail).getBytes(StandardCharsets.UTF_8));
        headers.add(costline.streams.config.DecodedSource.ORIGIN_HEADER,
                (r.topic() + "/" + r.partition() + "@" + r.offset()).getBytes(StandardCharsets.UTF_8));
        dlq.send(new ProducerRecord<>(Topics.GPU_SINK_DLQ, null, r.timestamp(), r.key(), r.value(), headers), this::sent);
        LOG.error("record {}-{}@{} dead-lettered: {} {}", r.topic(), r.partition(), r.offset(), reason, detail);
    }

    // Counted once written, not when sent: a batch whose dead letter failed is read again and sends them again.
    private void sent(org.apache.kafka.clients.producer.RecordMetadata metadata, Exception e) {
        if (e != null) {
            dlqFailure.compareAndSet(null, e);
        } else {
            deadLettered.incrementAndGet();
        }
    }

    public long pointsWritten() {
        return pointsWritten.get();
    }

    public long batchesWritten() {
        return batchesWritten.get();
    }

    public long writeRetries() {
        return writeRetries.get();
    }

    /**
     * Dead letters the broker acknowledged on {@link Topics#GPU_SINK_DLQ}. A batch read again after one of its dead letters
     * failed sends the others again, so they may be written, and counted, twice (at least once, as every dead letter).
     */
    public long deadLettered() {
        return deadLettered.get();
    }

    /** The consumer's client metrics (lag, last poll), for the health endpoint; safe from any thread. */
    public java.util.Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> consumerMetrics() {
        return consumer.metrics();
    }

    /** Records that map to no point (tombstones, samples without any reading). */
    public long skipped() {
        return skipped.get();
    }

    /** Stops the loop; safe from any thread. An unwritten batch is left uncommitted and redelivered next time. */
    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
    }

    /** Releases the clients after {@link #run()} returned. */
    public void release() {
        dlq.close(Duration.ofSeconds(10));
        client.close();
    }
}
