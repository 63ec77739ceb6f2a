package costline.streams.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import costline.streams.config.KafkaSettings;
import costline.streams.config.Settings;
import costline.streams.config.SettingsException;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

/**
 * {@code cost.dedup-store} decides where the cost topology's de-duplication memory ({@code cost-seen-by-gpu}) lives:
 * RocksDB by default (the large state of a big fleet), or the heap (replays, small fleets).
 */
class DedupStoreSettingTest {

    private static boolean dedupOnDisk(Map<String, String> values) {
        Map<String, String> all = new java.util.HashMap<>(values);
        all.put(KafkaSettings.REGISTRY_URL.key(), "mock://dedup-store-setting-test");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "dedup-store-setting-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/dedup-store-setting-test");
        try (TopologyTestDriver driver = new TopologyTestDriver(new CostApp().topology(Settings.of(all)), props)) {
            return driver.getKeyValueStore(CostTopology.SEEN_STORE_BY_GPU).persistent();
        }
    }

    @Test
    void theDefaultKeepsTheWindowOnDiskAndMemoryPutsItOnTheHeap() {
        assertThat(dedupOnDisk(Map.of())).isTrue();
        assertThat(dedupOnDisk(Map.of(CostSettings.DEDUP_STORE.key(), "ROCKSDB"))).isTrue();
        assertThat(dedupOnDisk(Map.of(CostSettings.DEDUP_STORE.key(), "MEMORY"))).isFalse();
    }

    @Test
    void anUnknownKindStopsStartUpNamingTheKey() {
        assertThatThrownBy(() -> dedupOnDisk(Map.of(CostSettings.DEDUP_STORE.key(), "disk")))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("cost.dedup-store");
    }
}
