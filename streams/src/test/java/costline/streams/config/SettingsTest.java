package costline.streams.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import costline.streams.alert.AlertConfig;
import costline.streams.breakeven.BreakEvenConfig;
import costline.streams.cost.CostSettings;
import costline.streams.rollup.RollupConfig;
import costline.streams.runtime.SettingsCatalog;
import costline.streams.runtime.StreamsApp;
import costline.streams.runtime.StreamsRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.PunctuationType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    private static final String REGISTRY = "schema.registry.url";

    @Test
    void environmentOverridesTheFileAndKafkaKeysPassThrough(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("costline.properties"), """
                kafka.bootstrap.servers=file:9092
                kafka.security.protocol=SASL_SSL
                kafka.sasl.mechanism=PLAIN
                schema.registry.url=http://registry:8081
                cost.emit-interval=500ms
                """);
        Settings s = SettingsCatalog.load(file, Map.of("COSTLINE_KAFKA_BOOTSTRAP_SERVERS", "env:9093",
                "COSTLINE_KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule required;",
                "COSTLINE_COST_EMIT_INTERVAL", "2s", "PATH", "/usr/bin"));
        Properties streams = KafkaSettings.streamsProperties(s, "cost");
        assertThat(streams.getProperty("bootstrap.servers")).isEqualTo("env:9093");
        assertThat(streams.getProperty("security.protocol")).isEqualTo("SASL_SSL");
        assertThat(streams.getProperty("sasl.mechanism")).isEqualTo("PLAIN");
        assertThat(streams.getProperty("sasl.jaas.config")).startsWith("org.apache.kafka.common.security.plain");
        assertThat(streams.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(streams.getProperty(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("costline-cost");
        assertThat(CostSettings.from(s).emitIntervalMs()).as("the environment wins over the file").isEqualTo(2000);
    }

    @Test
    void aHyphenatedKeyIsSetByItsEnvironmentVariable() {
        // COSTLINE_ALERT_MIN_ELAPSED once became alert.min.elapsed, which no one read: the setting kept its default.
        Settings s = SettingsCatalog.load(null, Map.of("COSTLINE_SCHEMA_REGISTRY_URL", "mock://x",
                "COSTLINE_ALERT_MIN_ELAPSED", "3d", "COSTLINE_BREAKEVEN_SCHEDULE", "stream_time",
                "COSTLINE_ROLLUP_WALL_CLOCK_CLOSE", "false"));
        assertThat(AlertConfig.from(s).minElapsed()).isEqualTo(Duration.ofDays(3));
        assertThat(BreakEvenConfig.from(s).schedule()).isEqualTo(PunctuationType.STREAM_TIME);
        assertThat(RollupConfig.from(s).wallClockClose()).isFalse();
    }

    @Test
    void aBadOrMissingSettingNamesTheKeyTheValueAndTheFix() {
        assertThatThrownBy(() -> CostSettings.from(Settings.of(Map.of())))
                .isInstanceOf(SettingsException.class).hasMessageContaining(REGISTRY)
                .hasMessageContaining("COSTLINE_SCHEMA_REGISTRY_URL");
        assertThatThrownBy(() -> CostSettings.from(Settings.of(Map.of(REGISTRY, "mock://x", "cost.emit-interval", "soon"))))
                .hasMessageContaining("'cost.emit-interval'").hasMessageContaining("'soon' is not a duration")
                .hasMessageContaining("fix: write a duration such as 500ms");
        assertThatThrownBy(() -> CostSettings.from(Settings.of(Map.of(REGISTRY, "mock://x", "cost.dedup-window", "5s"))))
                .hasMessageContaining("cost.dedup-window").hasMessageContaining("'5s' is out of range")
                .hasMessageContaining("between 1m and 30d");
        assertThatThrownBy(() -> CostSettings.from(Settings.of(Map.of(REGISTRY, "mock://x", "cost.emit-interval", "500"))))
                .as("a bare number has no unit: refused, not read as milliseconds")
                .hasMessageContaining("'500' is not a duration");
    }

    @Test
    void everyTypedReadNamesTheKeyTheValueAndTheFix() {
        Settings s = Settings.of(Map.ofEntries(Map.entry("t.count", "seven"), Map.entry("t.big", "70"),
                Map.entry("t.ratio", "x"), Map.entry("t.zone", "Mars/Olympus"), Map.entry("t.on", "yes"),
                Map.entry("t.mode", "sometimes"), Map.entry("t.map", "a=1;b"), Map.entry("t.watts", "A=lots"),
                Map.entry("t.wait", "PT-1H")));
        assertThatThrownBy(() -> s.longValue(Setting.longValue("t.count", 1, 1, 10, "")))
                .hasMessageContaining("'t.count'").hasMessageContaining("'seven' is not a whole number")
                .hasMessageContaining("between 1 and 10");
        assertThatThrownBy(() -> s.longValue(Setting.longValue("t.big", 1, 1, 10, "")))
                .hasMessageContaining("'t.big'").hasMessageContaining("70 is out of range");
        assertThatThrownBy(() -> s.doubleValue(Setting.doubleValue("t.ratio", 1, 0.0, null, "")))
                .hasMessageContaining("'t.ratio'").hasMessageContaining("'x' is not a number");
        assertThatThrownBy(() -> s.zone(Setting.zone("t.zone", "UTC", "")))
                .hasMessageContaining("'Mars/Olympus' is not a time zone").hasMessageContaining("Europe/Berlin");
        assertThatThrownBy(() -> s.bool(Setting.bool("t.on", true, "")))
                .hasMessageContaining("'t.on'").hasMessageContaining("'yes'").hasMessageContaining("true or false");
        assertThatThrownBy(() -> s.choice(Setting.choice("t.mode", PunctuationType.STREAM_TIME, PunctuationType.class, "")))
                .hasMessageContaining("'SOMETIMES' is not a choice").hasMessageContaining("STREAM_TIME, WALL_CLOCK_TIME");
        assertThatThrownBy(() -> s.map(Setting.map("t.map", false, "")))
                .hasMessageContaining("'t.map'").hasMessageContaining("entry 'b' is not name=value");
        assertThatThrownBy(() -> s.map(Setting.map("t.watts", true, "")))
                .hasMessageContaining("'A=lots'").hasMessageContaining("number > 0");
        assertThatThrownBy(() -> s.duration(Setting.duration("t.wait", "1h", "0s", null, "")))
                .hasMessageContaining("'PT-1H' is not a duration");
        assertThat(s.duration(Setting.duration("t.unset", "1h", "0s", null, ""))).as("the default").isEqualTo(Duration.ofHours(1));
    }

    @Test
    void anOldKeyStopsStartUpNamingItsNewName(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("old.properties"), "cost.emit.interval.ms=500\n");
        assertThatThrownBy(() -> Settings.load(file, Map.of()))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("'cost.emit.interval.ms'").hasMessageContaining("renamed to 'cost.emit-interval'")
                .hasMessageContaining("takes a duration now").hasMessageContaining("cost.emit-interval=<old value>ms");
        assertThatThrownBy(() -> Settings.load(null, Map.of("COSTLINE_SINK_RETRY_MAX_MS", "30000")))
                .hasMessageContaining("COSTLINE_SINK_RETRY_MAX_MS").hasMessageContaining("COSTLINE_SINK_RETRY_MAX")
                .hasMessageContaining("sink.retry-max");
        assertThatThrownBy(() -> Settings.of(Map.of("focus.onprem.provider", "ACME")))
                .hasMessageContaining("renamed to 'focus.onprem-provider'");
        // every old key is refused, and its new name is declared
        for (RenamedKeys.Rename r : RenamedKeys.ALL.values()) {
            assertThatThrownBy(() -> Settings.of(Map.of(r.oldKey(), "1"))).as(r.oldKey())
                    .hasMessageContaining(r.newKey());
            assertThat(SettingsCatalog.all()).as(r.newKey()).anyMatch(s -> s.matches(r.newKey()));
        }
    }

    @Test
    void anUnknownKeyUnderACostlineAreaStopsStartUpWithTheNearestKey(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("typo.properties"), "rollup.gracee=2h\n");
        assertThatThrownBy(() -> SettingsCatalog.load(file, Map.of()))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("'rollup.gracee' (env COSTLINE_ROLLUP_GRACEE): is not a costline setting")
                .hasMessageContaining("did you mean 'rollup.grace'");
        assertThatThrownBy(() -> SettingsCatalog.load(null, Map.of("COSTLINE_BREAKEVEN_MIN_HISTROY", "7d")))
                .hasMessageContaining("COSTLINE_BREAKEVEN_MIN_HISTROY").hasMessageContaining("breakeven.min-history")
                .hasMessageContaining("write COSTLINE_BREAKEVEN_MIN_HISTORY");
        assertThatThrownBy(() -> SettingsCatalog.load(null, Map.of("COSTLINE_SINK_NONSENSE_ENTIRELY_DIFFERENT", "1")))
                .hasMessageContaining("is not a costline setting");
        // outside costline's areas, and Kafka's pass-through keys, are not costline's to judge
        assertThatCode(() -> SettingsCatalog.load(null, Map.of("COSTLINE_HEALTH_PORT", "8080", "COSTLINE_JAVA_OPTS", "-Xmx1g",
                "COSTLINE_KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12", "COSTLINE_STREAMS_METADATA_MAX_AGE_MS", "1000",
                "COSTLINE_INFLUX_TOKEN", "t", "COSTLINE_INFLUX_TOKEN_FILE", "/dev/null"))).doesNotThrowAnyException();
    }

    @Test
    void theRunnerChecksTheSettingsBeforeItBuildsAnything() {
        // embedding callers (the quickstart, tests) hand the runner settings without a file: checked all the same
        try (StreamsRunner runner = new StreamsRunner()) {
            assertThatThrownBy(() -> runner.start(Settings.of(Map.of(REGISTRY, "mock://x", "kafka.bootstrap.servers", "127.0.0.1:1",
                    "cost.emit-intervall", "1s")), List.of(new costline.streams.cost.CostApp())))
                    .isInstanceOf(SettingsException.class).hasMessageContaining("did you mean 'cost.emit-interval'");
            assertThat(runner.streams()).isEmpty();
        }
    }

    @Test
    void costAndDriftCommitOnIntervalsOfTheirOwnAndTheOthersOnStreamsCommitIntervalMs() {
        Settings s = Settings.of(Map.of(REGISTRY, "mock://x", "kafka.bootstrap.servers", "k:9092", "streams.commit.interval.ms", "500"));
        // cost: a backstop (each emit asks for its commit); drift: seconds, not the 500 ms of the others
        assertThat(commitProperties(s, new costline.streams.cost.CostApp())).containsEntry("commit.interval.ms", "10000")
                .containsEntry("producer.transaction.timeout.ms", "20000");
        assertThat(commitProperties(s, new costline.streams.drift.DriftApp())).containsEntry("commit.interval.ms", "5000")
                .doesNotContainKey("producer.transaction.timeout.ms");
        assertThat(commitProperties(s, new costline.streams.rollup.RollupApp())).containsEntry("commit.interval.ms", "500");
        // given, they win over streams.commit.interval.ms; the cost backstop follows a longer emit interval when unset
        Settings given = Settings.of(Map.of(REGISTRY, "mock://x", "kafka.bootstrap.servers", "k:9092", "drift.commit-interval", "2s", "cost.commit-interval", "1s"));
        assertThat(commitProperties(given, new costline.streams.drift.DriftApp())).containsEntry("commit.interval.ms", "2000");
        assertThat(commitProperties(given, new costline.streams.cost.CostApp())).containsEntry("commit.interval.ms", "1000");
        Settings slowEmit = Settings.of(Map.of(REGISTRY, "mock://x", "kafka.bootstrap.servers", "k:9092", "cost.emit-interval", "30s"));
        assertThat(commitProperties(slowEmit, new costline.streams.cost.CostApp())).containsEntry("commit.interval.ms", "60000")
                .containsEntry("producer.transaction.timeout.ms", "120000");
    }

    @Test
    void defaultCommitIntervalsYieldToAShorterTransactionTimeoutTheOperatorSet() {
        // a 5-s timeout (a crashed instance's open transaction then blocks its partitions' readers at most 5 s): the cost
        // backstop (10 s unset) and drift's 5 s fit in it; Streams would otherwise refuse to start the application
        Settings fast = Settings.of(Map.of(REGISTRY, "mock://x", "kafka.bootstrap.servers", "k:9092",
                "streams.producer.transaction.timeout.ms", "3000"));
        assertThat(commitProperties(fast, new costline.streams.cost.CostApp())).containsEntry("commit.interval.ms", "3000")
                .containsEntry("producer.transaction.timeout.ms", "3000");
        assertThat(commitProperties(fast, new costline.streams.drift.DriftApp())).containsEntry("commit.interval.ms", "3000");
        // never below the emits: each emit asks for its commit anyway
        Settings tiny = Settings.of(Map.of(REGISTRY, "mock://x", "kafka.bootstrap.servers", "k:9092",
                "streams.producer.transaction.timeout.ms", "100", "cost.emit-interval", "50ms"));
        assertThat(commitProperties(tiny, new costline.streams.cost.CostApp())).containsEntry("commit.interval.ms", "100");
        // an interval the operator set does not yield: start-up stops naming the timeout's key and the fix
        Settings both = Settings.of(Map.of(REGISTRY, "mock://x", "kafka.bootstrap.servers", "k:9092",
                "streams.producer.transaction.timeout.ms", "3000", "drift.commit-interval", "30s"));
        assertThatThrownBy(() -> commitProperties(both, new costline.streams.drift.DriftApp()))
                .isInstanceOf(SettingsException.class).hasMessageContaining("streams.producer.transaction.timeout.ms")
                .hasMessageContaining("30000").hasMessageContaining("raise it to at least 30000");
        Settings notANumber = Settings.of(Map.of(REGISTRY, "mock://x", "kafka.bootstrap.servers", "k:9092",
                "streams.producer.transaction.timeout.ms", "soon"));
        assertThatThrownBy(() -> commitProperties(notANumber, new costline.streams.rollup.RollupApp()))
                .isInstanceOf(SettingsException.class).hasMessageContaining("not a whole number");
    }

    private static Properties commitProperties(Settings s, StreamsApp app) {
        return KafkaSettings.streamsProperties(s, app.name(), app.commitInterval(s));
    }

    @Test
    void aBadCommitIntervalStopsStartUpNamingItsKey() {
        try (StreamsRunner runner = new StreamsRunner()) {
            Map<String, String> base = Map.of(REGISTRY, "mock://x", "kafka.bootstrap.servers", "127.0.0.1:1");
            Map<String, String> drift = new HashMap<>(base);
            drift.put("drift.commit-interval", "10ms");
            assertThatThrownBy(() -> runner.start(Settings.of(drift), List.of(new costline.streams.drift.DriftApp())))
                    .isInstanceOf(SettingsException.class).hasMessageContaining("drift.commit-interval")
                    .hasMessageContaining("out of range").hasMessageContaining("100ms");
            // under the emit interval, the commit interval would commit between the emits again
            Map<String, String> cost = new HashMap<>(base);
            cost.put("cost.commit-interval", "200ms");
            assertThatThrownBy(() -> runner.start(Settings.of(cost), List.of(new costline.streams.cost.CostApp())))
                    .isInstanceOf(SettingsException.class).hasMessageContaining("cost.commit-interval")
                    .hasMessageContaining("shorter than cost.emit-interval").hasMessageContaining("at least cost.emit-interval");
            assertThat(runner.streams()).isEmpty();
        }
    }

    @Test
    void aBadValueOfAnyDeclaredSettingStopsStartUpEvenIfItsTopologyIsNotRun() {
        assertThatThrownBy(() -> Settings.of(Map.of(REGISTRY, "mock://x", "rollup.grace", "soon")).check(SettingsCatalog.all()))
                .hasMessageContaining("rollup.grace").hasMessageContaining("'soon' is not a duration");
        assertThatThrownBy(() -> Settings.of(Map.of("topics.partitions", "20000")).check(SettingsCatalog.all()))
                .hasMessageContaining("topics.partitions").hasMessageContaining("between 1 and 10000");
    }

    @Test
    void eachDeclarationIsUniqueAndInTheOneKeyStyle() {
        // a key declared twice (in one topology, or differently in two) would document and check two different things
        Map<String, Setting> byKey = new HashMap<>();
        List<String> problems = new ArrayList<>();
        SettingsCatalog.groups().forEach((group, settings) -> {
            List<String> keys = settings.stream().map(Setting::key).toList();
            if (keys.size() != keys.stream().distinct().count()) {
                problems.add(group + " declares a key twice: " + keys);
            }
            for (Setting s : settings) {
                Setting before = byKey.putIfAbsent(s.key(), s);
                if (before != null && !before.equals(s)) {
                    problems.add(s.key() + " declared differently: " + before + " / " + s);
                }
                // <area>.<name>, name words joined by hyphens; kafka.*/streams.* are Kafka's, schema.registry.url
                // Confluent's, influx.token.file the <secret>.file of influx.token
                boolean kafkas = s.key().startsWith("kafka.") || s.key().startsWith("streams.")
                        || s.key().equals("schema.registry.url") || s.key().equals("influx.token.file");
                String style = "[a-z]+\\.([a-z0-9]+(-[a-z0-9]+)*\\.)?[a-z0-9]+(-[a-z0-9]+)*";
                if (!kafkas && !s.key().replace("<workload>.", "").matches(style)) {
                    problems.add(s.key() + " is not in the key style");
                }
                if (!kafkas && s.type() != Setting.Type.DURATION && (s.key().endsWith("-ms") || s.key().endsWith(".ms"))) {
                    problems.add(s.key() + " holds milliseconds: declare a duration");
                }
                if (s.defaultValue() != null) {
                    assertThatCode(() -> Settings.of(Map.of()).read(s)).as(s.key() + "'s default").doesNotThrowAnyException();
                }
            }
        });
        assertThat(problems).isEmpty();
        assertThat(StreamsRunner.discover()).extracting(StreamsApp::name)
                .containsExactlyInAnyOrder("cost", "rollup", "alerts", "breakeven", "drift");
    }

    @Test
    void theInfluxTokenComesOnlyFromTheEnvironmentOrAFile(@TempDir Path dir) throws Exception {
        Path inFile = Files.writeString(dir.resolve("a.properties"), "influx.token=s3cret\n");
        assertThatThrownBy(() -> InfluxSettings.from(Settings.load(inFile, Map.of())))
                .hasMessageContaining("influx.token").hasMessageContaining("must not be written in the settings file");
        assertThatThrownBy(() -> SettingsCatalog.load(inFile, Map.of()))
                .as("refused by the start-up check too").hasMessageContaining("must not be written in the settings file");
        assertThat(new String(InfluxSettings.from(Settings.load(null, Map.of("COSTLINE_INFLUX_TOKEN", "from-env"))).token()))
                .isEqualTo("from-env");
        Path token = Files.writeString(dir.resolve("token"), "from-file\n");
        Path viaFile = Files.writeString(dir.resolve("b.properties"), "influx.token.file=" + token + "\n");
        assertThat(new String(InfluxSettings.from(SettingsCatalog.load(viaFile, Map.of())).token())).isEqualTo("from-file");
        assertThatThrownBy(() -> InfluxSettings.from(Settings.load(null, Map.of())))
                .hasMessageContaining("no InfluxDB token").hasMessageContaining("COSTLINE_INFLUX_TOKEN");
        assertThatThrownBy(() -> InfluxSettings.from(Settings.load(null, Map.of("COSTLINE_INFLUX_TOKEN", "t", "COSTLINE_INFLUX_URL", "influx:8086"))))
                .hasMessageContaining("influx.url");
        assertThatThrownBy(() -> InfluxSettings.from(Settings.load(null, Map.of("COSTLINE_INFLUX_TOKEN", "t",
                "COSTLINE_SINK_RETRY_INITIAL", "10s", "COSTLINE_SINK_RETRY_MAX", "1s"))))
                .hasMessageContaining("sink.retry-max").hasMessageContaining("1s is below sink.retry-initial (10s)");
    }

    @Test
    void theCostTopologyIsFoundOnTheClassPath() {
        assertThat(StreamsRunner.discover()).extracting(StreamsApp::name).contains("cost");
    }
}
