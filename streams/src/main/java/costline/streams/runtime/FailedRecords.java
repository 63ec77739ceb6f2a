package costline.streams.runtime;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * What a processor with write-back state ({@link StateCache}) does with a record whose processing throws. Its changes
 * may be half made in memory, next to other records' changes that are not in the store yet, so the record cannot just
 * be dead-lettered and the task go on (its half-done changes would be committed with the rest). Instead:
 * <ol>
 *   <li>{@link #abortTask}: the record's place (application, topic, partition, offset) is remembered in this process
 *       and the task fails ({@link DeadLetterProcessingHandler} answers FAIL): its transaction is aborted, its memory
 *       discarded, its thread replaced, and it resumes from its last commit with state restored from the changelogs;</li>
 *   <li>{@link #refuseIfFailedBefore}, first thing in {@code process}: when the same record comes again it is refused
 *       before anything is changed, and the handler dead-letters it (reason PROCESSING_FAILED, the first failure as
 *       detail) and lets the task go on.</li>
 * </ol>
 * The result is exact: every record but the failing one is applied once. A process that restarts between the two
 * forgets the place; the record then fails once more, the same way. A dependency failure (see
 * {@link DeadLetterProcessingHandler}) aborts the task the same way but is not remembered: the record is retried.
 */
public final class FailedRecords {

    private static final Map<String, String> FAILED = new ConcurrentHashMap<>();

    private FailedRecords() {
    }

    /** Thrown by {@link #abortTask}: the handler fails the task. */
    public static final class AbortTask extends RuntimeException {
        AbortTask(String place, RuntimeException cause) {
            super("processing failed at " + place + "; the task is aborted and resumes from its last commit, where this "
                    + "record will be dead-lettered: " + cause, cause);
        }
    }

    /** Thrown by {@link #refuseIfFailedBefore}: the handler dead-letters the record. */
    public static final class FailedBefore extends RuntimeException {
        FailedBefore(String firstFailure) {
            super(firstFailure);
        }
    }

    /** Remembers where the record being processed failed; throw what it returns. */
    public static RuntimeException abortTask(ProcessingContext context, RuntimeException failure) {
        if (failure instanceof FailedBefore || failure instanceof AbortTask
                || DeadLetterProcessingHandler.dependencyFailure(failure)) {
            // a failing dependency (the registry unreachable) is not the record's fault: the task fails and retries it
            return failure;
        }
        if (DeadLetterProcessingHandler.dependencyFailure(failure)) {
            // not the record's fault (a broker timeout, the registry down): the handler fails the task all the same, so
            // its memory is discarded, but the record must be processed again when it comes back, not dead-lettered
            return failure;
        }
        String place = place(context);
        if (place == null) {
            return failure; // no source record (a punctuation): fails the task as any exception there does
        }
        FAILED.put(place, failure.toString());
        return new AbortTask(place, failure);
    }

    /** Refuses a record whose processing failed before in this process, before the processor changes anything. */
    public static void refuseIfFailedBefore(ProcessingContext context) {
        if (FAILED.isEmpty()) {
            return;
        }
        String place = place(context);
        String first = place == null ? null : FAILED.get(place);
        if (first != null) {
            throw new FailedBefore(first);
        }
    }

    private static String place(ProcessingContext context) {
        RecordMetadata m = context.recordMetadata().orElse(null);
        if (m == null) {
            return null;
        }
        return place(context.applicationId(), m.topic(), m.partition(), m.offset());
    }

    /** A source record's place, {@code application|topic|partition|offset}; null when there is no source record. */
    static String place(String applicationId, String topic, int partition, long offset) {
        if (topic == null || offset < 0) {
            return null;
        }
        return applicationId + "|" + topic + "|" + partition + "|" + offset;
    }

    /**
     * Places dead-lettered in this process, most recent last. Under exactly_once_v2 the tasks of a stream thread share one
     * transaction: a record dead-lettered (by the handler's own producer, outside the transaction) and then aborted
     * with another task's failure comes again from the last commit, and would be dead-lettered a second time. A
     * redelivery comes within a commit interval or two, so the most recent places are enough.
     */
    private static final int DEAD_LETTERED_KEPT = 100_000;
    private static final Map<String, Boolean> DEAD_LETTERED = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > DEAD_LETTERED_KEPT;
                }
            });

    /** Whether the record at {@code place} was dead-lettered before in this process (null place: no). */
    static boolean deadLetteredBefore(String place) {
        return place != null && DEAD_LETTERED.containsKey(place);
    }

    /** Remembers that the record at {@code place} is in its dead-letter topic (written and acknowledged). */
    static void deadLettered(String place) {
        if (place != null) {
            DEAD_LETTERED.put(place, Boolean.TRUE);
        }
    }
}
