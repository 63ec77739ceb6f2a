package costline.collectors.kubernetes;

import java.util.Optional;

/** This node's pods with their labels, from the API server; {@link #NONE} where the collector may not read them. */
public interface PodDirectory extends AutoCloseable {

    Optional<PodInfo> byRef(PodRef ref);

    Optional<PodInfo> byUid(String uid);

    /** Changes whenever a pod is added, deleted, or its labels or owner change (cached names are stale then). */
    long generation();

    /** Changes on every event about this node's pods, status changes included (a pod may have been given a GPU). */
    default long changes() {
        return generation();
    }

    @Override
    default void close() {
    }

    PodDirectory NONE = new PodDirectory() {
        @Override
        public Optional<PodInfo> byRef(PodRef ref) {
            return Optional.empty();
        }

        @Override
        public Optional<PodInfo> byUid(String uid) {
            return Optional.empty();
        }

        @Override
        public long generation() {
            return 0;
        }
    };
}
