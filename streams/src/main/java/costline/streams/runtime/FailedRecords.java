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
 * forgets the place; the record then fails once more, the same way.
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
        if (m == null || m.topic() == null || m.offset() < 0) {
            return null;
        }
        return context.applicationId() + "|" + m.topic() + "|" + m.partition() + "|" + m.offset();
    }
}
