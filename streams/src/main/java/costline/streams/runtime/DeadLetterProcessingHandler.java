package costline.streams.runtime;

import costline.schemas.Topics;
import costline.streams.config.DecodedSource;
import costline.schemas.registry.RegistryUnavailableException;
import costline.schemas.serde.WireFormatException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams' {@code processing.exception.handler} of every costline application: a record whose processing throws is
 * sent, with its original key and bytes, to the application's dead-letter topic ({@link #TOPIC_CONFIG}) with reason
 * {@value #REASON}, the exception as detail and its origin, counted ({@link #deadLettered()}), and the task goes on.
 * Without it the task failed, the replaced thread read the same record again and failed again: a crash loop on one
 * record.
 *
 * <p>Two failures still fail the task, because the record is not at fault: a failing dependency (the schema
 * registry unreachable, a retriable Kafka error), which the replaced thread retries from the last commit; and a
 * dead letter that cannot be written, so nothing is ever dropped silently. The dead letter is written by this
 * handler's own producer, outside the task's transaction: when that transaction is aborted (another task of the
 * thread failed) and the record comes again, the handler remembers it was dead-lettered and does not write it again
 * ({@link FailedRecords}); a process that crashes between the dead letter and the next commit writes it a second time
 * (at least once).
 */
public final class DeadLetterProcessingHandler implements ProcessingExceptionHandler {

    /** Streams property naming the dead-letter topic of the application. */
    public static final String TOPIC_CONFIG = "costline.dead.letter.topic";
    /** Dead-letter reason of a record whose processing threw. */
    public static final String REASON = "PROCESSING_FAILED";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);
    private static final AtomicLong DEAD_LETTERED = new AtomicLong();

    private final Map<String, Object> producerConfig = new HashMap<>();
    private String topic;
    private String applicationId;
    private KafkaProducer<byte[], byte[]> producer;

    /** Records dead-lettered by this handler in this process, over all applications. */
    public static long deadLettered() {
        return DEAD_LETTERED.get();
    }

    @Override
    public void configure(Map<String, ?> configs) {
        topic = (String) configs.get(TOPIC_CONFIG);
        applicationId = String.valueOf(configs.get(org.apache.kafka.streams.StreamsConfig.APPLICATION_ID_CONFIG));
        for (Map.Entry<String, ?> e : configs.entrySet()) {
            // the client settings (bootstrap, security, SASL, SSL) the application's own clients use
            if (ProducerConfig.configNames().contains(e.getKey())) {
                producerConfig.put(e.getKey(), e.getValue());
            }
        }
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        producerConfig.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "costline-dead-letters");
    }

    @Override
    public ProcessingHandlerResponse handle(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (dependencyFailure(exception) || topic == null) {
            LOG.error("processing failed at {}/{}@{} ({}); failing the task so that it is retried", context.topic(),
                    context.partition(), context.offset(), exception.toString());
            return ProcessingHandlerResponse.FAIL;
        }
        if (cause(exception, FailedRecords.AbortTask.class) != null) {
            // a processor with write-back state: its task must start again from its last commit (FailedRecords)
            LOG.warn("processing failed at {}/{}@{}; aborting the task's transaction: {}", context.topic(),
                    context.partition(), context.offset(), exception.getMessage());
            return ProcessingHandlerResponse.FAIL;
        }
        String place = FailedRecords.place(applicationId, context.topic(), context.partition(), context.offset());
        if (FailedRecords.deadLetteredBefore(place)) {
            // its transaction was aborted after the dead letter was written (another task of the thread failed):
            // the record came again from the last commit, and its dead letter is already there
            LOG.info("record at {}/{}@{} was dead-lettered before; not writing it again", context.topic(),
                    context.partition(), context.offset());
            return ProcessingHandlerResponse.CONTINUE;
        }
        FailedRecords.FailedBefore before = cause(exception, FailedRecords.FailedBefore.class);
        RecordHeaders headers = new RecordHeaders();
        if (context.headers() != null) {
            context.headers().forEach(headers::add);
        }
        headers.add(Topics.DLQ_REASON_HEADER, REASON.getBytes(StandardCharsets.UTF_8));
        String detail = (before != null ? before.getMessage() : exception.toString()) + " in processor " + context.processorNodeId();
        headers.add(Topics.DLQ_DETAIL_HEADER, detail.substring(0, Math.min(detail.length(), 4_000)).getBytes(StandardCharsets.UTF_8));
        String origin = context.topic() + "/" + context.partition() + "@" + context.offset();
        headers.add(DecodedSource.ORIGIN_HEADER, origin.getBytes(StandardCharsets.UTF_8));
        try {
            producer().send(new ProducerRecord<>(topic, null, context.sourceRawKey(), context.sourceRawValue(), headers))
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception sendFailed) {
            LOG.error("processing failed at {} ({}) and the dead letter could not be written to {} ({}); failing the task",
                    origin, exception, topic, sendFailed.toString());
            return ProcessingHandlerResponse.FAIL;
        }
        FailedRecords.deadLettered(place);
        DEAD_LETTERED.incrementAndGet();
        LOG.warn("record at {} dead-lettered to {}: {}", origin, topic, detail, exception);
        return ProcessingHandlerResponse.CONTINUE;
    }

    private synchronized KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    static boolean dependencyFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RetriableException || t instanceof RegistryUnavailableException
                    || (t instanceof WireFormatException w && w.retriable())) {
                return true;
            }
        }
        return false;
    }
}
