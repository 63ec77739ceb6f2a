package costline.streams.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import costline.schemas.Topics;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Setting;
import costline.streams.config.Settings;
import costline.testkit.InProcessKafka;
import costline.testkit.TopicRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The write-back state of {@link StateCache} (flushed by the {@link CommitHook} before each commit) and the failure path
 * of {@link FailedRecords}, on the real in-process broker under {@link StreamsRunner}, exactly_once_v2, as
 * {@code costline streams run} starts every application.
 *
 * <p>The processor under test counts records per key through a write-back cache and forwards {@code count@offset} for
 * each record it counts; the store holds the same {@code count@offset} (the offset of the last record counted). Each
 * value can so be checked against the input: the count of a key must equal the number of countable records of that key
 * at offsets up to the one named. A committed value that no prefix of the input explains (a double count after an
 * aborted transaction, writes of one transaction committed with another's offsets) fails the check.
 */
class WriteBackStateTest {

    static final String STORE = "counts";
    static final String HOOK = "counts-commit-hook";
    /** Records whose first processing throws a dependency failure (a broker timeout): retried, never dead-lettered. */
    static final Set<String> OUTAGES_SEEN = ConcurrentHashMap.newKeySet();

    static InProcessKafka kafka;

    @BeforeAll
    static void broker() {
        kafka = InProcessKafka.start();
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** One application of this test: topics and application id of its own. */
    record App(String name, Function<App, Topology> topology) implements StreamsApp {
        String in() {
            return name + ".in";
        }

        String out() {
            return name + ".out";
        }

        String dlq() {
            return name + ".dlq";
        }

        String changelog() {
            return "costline-" + name + "-" + STORE + "-changelog";
        }

        public Topology topology(Settings settings) {
            return topology.apply(this);
        }

        public Map<String, String> topics() {
            return Map.of(in(), "delete", out(), "delete");
        }

        public String deadLetterTopic() {
            return dlq();
        }

        public List<Setting> settings() {
            return List.of();
        }
    }

    /** source -> counting processor (store without a record cache, the commit hook) -> sink. */
    static Topology counting(App app) {
        Topology t = new Topology();
        t.addSource("source", new StringDeserializer(), new StringDeserializer(), app.in());
        t.addProcessor("count", CountProcessor::new, "source");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.String()), "count");
        t.addStateStore(CommitHook.store(HOOK), "count");
        t.addSink("sink", app.out(), new StringSerializer(), new StringSerializer(), "count");
        return t;
    }

    /**
     * Counts per key through a write-back cache. The record's change is made (and its output forwarded) before it can
     * fail: a value "boom..." then throws (a bug on one record), a value "outage..." throws a retriable broker error the
     * first time it is processed (a dependency down for a moment).
     */
    static final class CountProcessor implements Processor<String, String, String, String> {
        private ProcessorContext<String, String> context;
        private StateCache<String> counts;

        @Override
        public void init(ProcessorContext<String, String> context) {
            this.context = context;
            this.counts = StateCache.writeBack(context, STORE, HOOK, 10_000);
        }

        @Override
        public void process(Record<String, String> record) {
            FailedRecords.refuseIfFailedBefore(context);
            try {
                var meta = context.recordMetadata().orElseThrow();
                String held = counts.get(record.key());
                long n = held == null ? 0 : count(held);
                String value = (n + 1) + "@" + meta.offset();
                counts.put(record.key(), value);
                context.forward(record.withValue(value));
                if (record.value().startsWith("boom")) {
                    throw new IllegalStateException("cannot count " + record.value());
                }
                if (record.value().startsWith("outage") && OUTAGES_SEEN.add(context.applicationId() + "/" + meta.partition()
                        + "@" + meta.offset())) {
                    throw new TimeoutException("broker unreachable while counting " + record.value());
                }
            } catch (RuntimeException e) {
                throw FailedRecords.abortTask(context, e);
            }
        }
    }

    static long count(String countAtOffset) {
        return Long.parseLong(countAtOffset.substring(0, countAtOffset.indexOf('@')));
    }

    static long offset(String countAtOffset) {
        return Long.parseLong(countAtOffset.substring(countAtOffset.indexOf('@') + 1));
    }

    /** What was sent: key, value, partition, offset. */
    record Sent(String key, String value, int partition, long offset) {
        boolean countable() {
            return !value.startsWith("boom");
        }
    }

    static Settings settings(App app, Path stateDir) {
        return StreamsOnBroker.runnerSettings(kafka, app.name(), 2, stateDir, 200);
    }

    /**
     * Clean restarts (the same state folder, then a new one restored from the changelog only) and two aborted
     * transactions in the middle (a dependency failure fails the task; its thread is replaced and resumes from the last
     * commit): every record counted exactly once, in the output, the store's changelog and the final state.
     */
    @Test
    @Timeout(600)
    void countsAreExactAcrossRestartsAndAbortedTransactions() throws Exception {
        App app = new App("wb-count", WriteBackStateTest::counting);
        Path state = Files.createTempDirectory("costline-wb-count");
        List<Sent> sent = new ArrayList<>();

        try (StreamsRunner runner = new StreamsRunner()) {
            runner.start(settings(app, state), List.of(app));
            // several commits with held writes go by before the outage aborts a transaction: writes held for one
            // commit and written with a later one would be lost with it
            sent.addAll(send(app.in(), 0, 700, i -> "v" + i));
            Thread.sleep(1_500);
            sent.addAll(send(app.in(), 700, 800, i -> i == 1000 ? "outage-1" : "v" + i));
            awaitOutput(app, sent);
        }
        assertChangelogExplainedBy(app, sent);

        try (StreamsRunner runner = new StreamsRunner()) {
            // a clean restart on the same state folder (local checkpoint)
            runner.start(settings(app, state), List.of(app));
            sent.addAll(send(app.in(), 1500, 1000, i -> i == 2100 ? "outage-2" : "v" + i));
            awaitOutput(app, sent);
        }
        assertChangelogExplainedBy(app, sent);

        try (StreamsRunner runner = new StreamsRunner()) {
            // a new instance: state restored from the changelog alone
            runner.start(settings(app, Files.createTempDirectory("costline-wb-count-b")), List.of(app));
            sent.addAll(send(app.in(), 2500, 500, i -> "v" + i));
            awaitOutput(app, sent);
        }
        List<ConsumerRecord<String, String>> changelog = assertChangelogExplainedBy(app, sent);

        // the outages were retried, not dead-lettered
        assertThat(OUTAGES_SEEN).hasSize(2);
        assertThat(readAll(app.dlq())).isEmpty();
        // write-back: a key updated by many records between two commits reaches the changelog once per commit
        assertThat(changelog.size()).isLessThan(sent.size() / 3);
    }

    /**
     * A record whose processing throws in a write-back processor: dead-lettered once with reason PROCESSING_FAILED and
     * the original exception as detail; its half-made change (count + 1, an output record) is in no commit; the records
     * before it in the same transaction, aborted with it, are counted again from the last commit, once.
     */
    @Test
    @Timeout(420)
    void aRecordThatThrowsIsDeadLetteredOnceAndEveryOtherRecordCountedOnce() throws Exception {
        App app = new App("wb-boom", WriteBackStateTest::counting);
        List<Sent> sent = new ArrayList<>();
        try (StreamsRunner runner = new StreamsRunner()) {
            runner.start(settings(app, Files.createTempDirectory("costline-wb-boom")), List.of(app));
            sent.addAll(send(app.in(), 0, 400, i -> "v" + i));
            Thread.sleep(1_000);
            sent.addAll(send(app.in(), 400, 600, i -> i == 555 ? "boom-1" : i == 777 ? "boom-2" : "v" + i));
            awaitOutput(app, sent);
            List<ConsumerRecord<String, String>> dead = read(app.dlq(), 2);
            assertThat(dead).extracting(ConsumerRecord::value).containsExactlyInAnyOrder("boom-1", "boom-2");
            for (ConsumerRecord<String, String> d : dead) {
                Sent original = sent.stream().filter(s -> s.value().equals(d.value())).findFirst().orElseThrow();
                assertThat(d.key()).isEqualTo(original.key());
                assertThat(ProcessingFailureTest.header(d, Topics.DLQ_REASON_HEADER)).isEqualTo(DeadLetterProcessingHandler.REASON);
                assertThat(ProcessingFailureTest.header(d, Topics.DLQ_DETAIL_HEADER))
                        .startsWith("java.lang.IllegalStateException: cannot count " + d.value());
                assertThat(ProcessingFailureTest.header(d, costline.streams.config.DecodedSource.ORIGIN_HEADER))
                        .isEqualTo(app.in() + "/" + original.partition() + "@" + original.offset());
            }
        }
        assertChangelogExplainedBy(app, sent);
    }

    /** The processor's own scans: held writes are invisible in the store until flushed, and the expiry sees them. */
    static final class ExpiryProcessor implements Processor<String, String, String, String> {
        private ProcessorContext<String, String> context;
        private StateCache<String> cache;
        private KeyValueStore<String, String> store;
        private StateExpiry<String> expiry;

        @Override
        public void init(ProcessorContext<String, String> context) {
            this.context = context;
            this.cache = StateCache.writeBack(context, STORE, HOOK, 10_000);
            this.store = context.getStateStore(STORE);
            this.expiry = new StateExpiry<>(store, Long::parseLong, Duration.ofHours(1), null).through(cache);
        }

        @Override
        public void process(Record<String, String> record) {
            long now = 10 * 3_600_000L;
            String old = String.valueOf(now - 2 * 3_600_000L);
            // in the store: "refreshed", last active 2 h ago, and "kept", active now
            cache.put("refreshed", old);
            cache.put("kept", String.valueOf(now));
            cache.flush();
            // held only: "refreshed" active again, "stale" inactive for 2 h, "fresh" active now
            cache.put("refreshed", String.valueOf(now));
            cache.put("stale", old);
            cache.put("fresh", String.valueOf(now));
            String beforeFlush = "store before flush: " + keys() + " refreshed=" + store.get("refreshed");
            int expired = expiry.expire(now);
            cache.flush();
            context.forward(record.withValue(beforeFlush + "; expired " + expired + "; store after: " + keys()
                    + " refreshed=" + store.get("refreshed") + "; cache stale=" + cache.get("stale")));
        }

        private List<String> keys() {
            List<String> keys = new ArrayList<>();
            try (KeyValueIterator<String, String> it = store.all()) {
                it.forEachRemaining(kv -> keys.add(kv.key));
            }
            return keys;
        }
    }

    /**
     * {@link StateExpiry#through}: writes held in the cache are scanned (a held entry that is stale expires, a stored one
     * that a held write refreshed does not), and the deletes reach the changelog.
     */
    @Test
    @Timeout(180)
    void expiryThroughTheCacheSeesHeldWrites() throws Exception {
        App app = new App("wb-expiry", a -> {
            Topology t = new Topology();
            t.addSource("source", new StringDeserializer(), new StringDeserializer(), a.in());
            t.addProcessor("expire", ExpiryProcessor::new, "source");
            t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.String()), "expire");
            t.addStateStore(CommitHook.store(HOOK), "expire");
            t.addSink("sink", a.out(), new StringSerializer(), new StringSerializer(), "expire");
            return t;
        });
        try (StreamsRunner runner = new StreamsRunner()) {
            runner.start(settings(app, Files.createTempDirectory("costline-wb-expiry")), List.of(app));
            send(app.in(), 0, 1, i -> "check");
            List<ConsumerRecord<String, String>> out = ProcessingFailureTest.read(kafka, app.out(), 1);
            assertThat(out).extracting(ConsumerRecord::value).containsExactly("store before flush: [kept, refreshed] refreshed=28800000;"
                    + " expired 1; store after: [fresh, kept, refreshed] refreshed=36000000; cache stale=null");
        }
        Map<String, String> last = new TreeMap<>();
        readAll(app.changelog()).forEach(r -> last.put(r.key(), r.value()));
        assertThat(last).containsEntry("fresh", "36000000").containsEntry("refreshed", "36000000")
                .containsEntry("kept", "36000000");
        assertThat(last.get("stale")).as("stale's last changelog record is a tombstone").isNull();
    }

    /** A store with Streams' record cache under a write-back cache would be flushed out of order: refused at init. */
    @Test
    @Timeout(120)
    void aStoreWithARecordCacheIsRefused() throws Exception {
        App app = new App("wb-cached", a -> {
            Topology t = new Topology();
            t.addSource("source", new StringDeserializer(), new StringDeserializer(), a.in());
            t.addProcessor("count", CountProcessor::new, "source");
            t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.String())
                    .withCachingEnabled(), "count");
            t.addStateStore(CommitHook.store(HOOK), "count");
            t.addSink("sink", a.out(), new StringSerializer(), new StringSerializer(), "count");
            return t;
        });
        Settings settings = settings(app, Files.createTempDirectory("costline-wb-cached"));
        StreamsRunner.createTopics(settings, app.topics());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (KafkaStreams streams = new KafkaStreams(app.topology(settings), KafkaSettings.streamsProperties(settings, app.name()))) {
            streams.setUncaughtExceptionHandler(e -> {
                failure.compareAndSet(null, e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            streams.start();
            send(app.in(), 0, 1, i -> "v");
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (failure.get() == null && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        }
        Throwable root = failure.get();
        assertThat(root).isNotNull();
        while (root.getCause() != null && !(root instanceof IllegalStateException)) {
            root = root.getCause();
        }
        assertThat(root).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("store " + STORE + " has a record cache");
    }

    /**
     * Under exactly_once_v2 a thread's tasks share a transaction: a record dead-lettered (outside it) and then aborted
     * with another task's failure comes again from the last commit. The handler remembers the place and does not write
     * a second dead letter for it; another offset is written.
     */
    @Test
    @Timeout(120)
    void aRecordDeadLetteredBeforeIsNotWrittenAgainWhenItComesBack() throws Exception {
        String dlq = "wb-once.dlq";
        kafka.createTopics(1, dlq);
        DeadLetterProcessingHandler handler = new DeadLetterProcessingHandler();
        Map<String, Object> config = new HashMap<>();
        kafka.clientProperties().forEach((k, v) -> config.put((String) k, v));
        config.put(org.apache.kafka.streams.StreamsConfig.APPLICATION_ID_CONFIG, "costline-wb-once");
        config.put(DeadLetterProcessingHandler.TOPIC_CONFIG, dlq);
        handler.configure(config);
        Record<String, String> record = new Record<>("k", "bad", 0L);
        var first = handler.handle(context("wb-once.in", 3, 41L), record, new IllegalStateException("cannot count bad"));
        var again = handler.handle(context("wb-once.in", 3, 41L), record, new FailedRecords.FailedBefore("java.lang.IllegalStateException: cannot count bad"));
        var other = handler.handle(context("wb-once.in", 3, 42L), record, new IllegalStateException("cannot count bad"));
        assertThat(List.of(first, again, other)).containsOnly(org.apache.kafka.streams.errors.ProcessingExceptionHandler.ProcessingHandlerResponse.CONTINUE);
        List<ConsumerRecord<String, String>> dead = read(dlq, 2);
        assertThat(dead).extracting(r -> ProcessingFailureTest.header(r, costline.streams.config.DecodedSource.ORIGIN_HEADER))
                .containsExactly("wb-once.in/3@41", "wb-once.in/3@42");
    }

    static org.apache.kafka.streams.errors.ErrorHandlerContext context(String topic, int partition, long offset) {
        return new org.apache.kafka.streams.errors.ErrorHandlerContext() {
            public String topic() {
                return topic;
            }

            public int partition() {
                return partition;
            }

            public long offset() {
                return offset;
            }

            public org.apache.kafka.common.header.Headers headers() {
                return new org.apache.kafka.common.header.internals.RecordHeaders();
            }

            public String processorNodeId() {
                return "count";
            }

            public org.apache.kafka.streams.processor.TaskId taskId() {
                return new org.apache.kafka.streams.processor.TaskId(0, partition);
            }

            public long timestamp() {
                return 0L;
            }

            public byte[] sourceRawKey() {
                return "k".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }

            public byte[] sourceRawValue() {
                return "bad".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }
        };
    }

    // ---- helpers ----

    /** Sends records {@code from .. from + n - 1}, keyed k0..k6, in one flush; returns where each landed. */
    static List<Sent> send(String topic, int from, int n, Function<Integer, String> value) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            records.add(new ProducerRecord<>(topic, "k" + (i * 7919 % 7), value.apply(i)));
        }
        List<RecordMetadata> landed = TopicRecords.send(kafka.clientProperties(), new StringSerializer(), new StringSerializer(), records);
        List<Sent> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sent.add(new Sent(records.get(i).key(), records.get(i).value(), landed.get(i).partition(), landed.get(i).offset()));
        }
        return sent;
    }

    /** Waits for one output record per countable record sent, then checks each against the input. */
    static void awaitOutput(App app, List<Sent> sent) {
        long countable = sent.stream().filter(Sent::countable).count();
        // each aborted task costs its thread's replacement and a rebalance (tens of seconds on a busy machine)
        List<ConsumerRecord<String, String>> out = read(app.out(), (int) countable);
        Map<String, Long> offsetsSeen = new HashMap<>();
        for (ConsumerRecord<String, String> r : out) {
            assertExplained(r.key(), r.value(), sent, "output");
            assertThat(offsetsSeen.merge(r.key() + "@" + offset(r.value()), 1L, Long::sum))
                    .as("output records for input %s@%d", r.key(), offset(r.value())).isEqualTo(1L);
        }
        assertThat(out).hasSize((int) countable);
    }

    /**
     * Every committed changelog value is explained by the input up to the offset it names, and the last value of each key
     * is the key's count over everything sent.
     */
    static List<ConsumerRecord<String, String>> assertChangelogExplainedBy(App app, List<Sent> sent) {
        List<ConsumerRecord<String, String>> changelog = readAll(app.changelog());
        Map<String, String> last = new TreeMap<>();
        for (ConsumerRecord<String, String> r : changelog) {
            assertExplained(r.key(), r.value(), sent, "changelog");
            last.put(r.key(), r.value());
        }
        Map<String, Long> expected = new TreeMap<>();
        sent.stream().filter(Sent::countable).forEach(s -> expected.merge(s.key(), 1L, Long::sum));
        Map<String, Long> got = new TreeMap<>();
        last.forEach((k, v) -> got.put(k, count(v)));
        assertThat(got).as("counts in the changelog").isEqualTo(expected);
        return changelog;
    }

    /** {@code count@offset} of {@code key} must be the number of countable records of that key at offsets <= offset. */
    static void assertExplained(String key, String value, List<Sent> sent, String where) {
        long at = offset(value);
        Sent source = sent.stream().filter(s -> s.key().equals(key) && s.offset() == at).findFirst().orElse(null);
        assertThat(source).as("%s %s=%s names a record of the key that was sent", where, key, value).isNotNull();
        long explained = sent.stream().filter(s -> s.key().equals(key) && s.partition() == source.partition()
                && s.offset() <= at && s.countable()).count();
        assertThat(count(value)).as("%s %s=%s (input explains %d)", where, key, value, explained).isEqualTo(explained);
    }

    /** At least {@code expected} committed records of a topic, waiting up to 4 minutes, and whatever follows within 0.5 s. */
    static List<ConsumerRecord<String, String>> read(String topic, int expected) {
        return TopicRecords.await(kafka.clientProperties(), topic, new StringDeserializer(), new StringDeserializer(), expected,
                Duration.ofMinutes(4));
    }

    /** Every committed record of a topic (read_committed, up to the last stable offset). */
    static List<ConsumerRecord<String, String>> readAll(String topic) {
        return TopicRecords.readAll(kafka.clientProperties(), topic, new StringDeserializer(), new StringDeserializer(),
                Duration.ofSeconds(60));
    }
}
