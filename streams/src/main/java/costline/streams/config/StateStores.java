package costline.streams.config;

import java.time.Duration;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;

/**
 * The kind of the topologies' durable stores: RocksDB in production; in memory (still changelogged) for programs that
 * drive millions of records through TopologyTestDriver, which flushes RocksDB after every record (the soak, long
 * property runs). The topologies take the choice as a build parameter, so what runs is otherwise the same topology.
 */
public final class StateStores {

    private StateStores() {
    }

    public static KeyValueBytesStoreSupplier keyValue(String name, boolean persistent) {
        return persistent ? Stores.persistentKeyValueStore(name) : Stores.inMemoryKeyValueStore(name);
    }

    public static WindowBytesStoreSupplier window(String name, Duration retention, Duration windowSize, boolean persistent) {
        return persistent ? Stores.persistentWindowStore(name, retention, windowSize, false)
                : Stores.inMemoryWindowStore(name, retention, windowSize, false);
    }
}
