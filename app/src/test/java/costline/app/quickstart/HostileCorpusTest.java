package costline.app.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import costline.embedded.EmbeddedQuestDb;
import costline.schemas.Topics;
import costline.streams.config.DecodedSource;
import costline.streams.config.KafkaSettings;
import costline.streams.cost.CostSettings;
import costline.testkit.TopicRecords;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile corpus ({@link HostileCorpus}) against the whole pipeline as the quickstart runs it: the embedded broker,
 * the in-process registry, the embedded QuestDB store, every application (cost, rollups, alerts, break-even, drift),
 * the sink, then the quickstart's own steps after the drain (finance CSV, FOCUS file, HTML report, ledger audit).
 * Started by {@link Quickstart#start()}, the quickstart's own start-up without its simulated fleet; the corpus is
 * written to gpu.samples and gpu.cost by hand, as a new user would.
 *
 * <p>Asserted: every application keeps running and consumes everything (no stuck lag); every bad record is in the
 * dead-letter topic of each application that reads its topic exactly once, with the reason of its kind; the audit
 * finds 0 differences and its fold refuses exactly the corpus's bad samples by the same reasons (so it costed exactly
 * the good ones); the store holds exactly the good samples and the edge names unchanged.
 *
 * <p>CI runs {@value #CI_RECORDS} records; the full run is
 * {@code mvn -B -ntp -pl app -am test -Dtest=HostileCorpusTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dcostline.corpus.records=100000} (add {@code -Dcostline.corpus.seed=N} to repeat a run).
 */
class HostileCorpusTest {

    static final int CI_RECORDS = 6_000;

    @Test
    @Timeout(3600)
    void noRecordStopsThePipelineAndEveryBadOneIsDeadLetteredOnceWithItsReason(@TempDir Path data, @TempDir Path out) throws Exception {
        int records = Integer.getInteger("costline.corpus.records", CI_RECORDS);
        long seed = Long.getLong("costline.corpus.seed", System.nanoTime());
        System.out.println("hostile corpus: seed " + seed + ", " + records + " records (repeat with -Dcostline.corpus.seed=" + seed + ")");
        try {
            run(records, seed, data, out);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("hostile corpus seed " + seed + " (repeat with -Dcostline.corpus.seed=" + seed + "): "
                    + e.getMessage(), e);
        }
    }

    private void run(int records, long seed, Path data, Path out) throws Exception {
        YearMonth month = YearMonth.now(ZoneOffset.UTC).minusMonths(1);
        QuickstartOptions options = new QuickstartOptions(month.atDay(1), 1, Duration.ofMinutes(5), Duration.ZERO, data, out,
                null, null, null, "costline", "costline", null, false, false, seed, "libnvidia-ml-absent-in-this-test.so.1");
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        try (Quickstart quickstart = new Quickstart(options, new PrintStream(screen, true, StandardCharsets.UTF_8))) {
            quickstart.start();
            Properties client = KafkaSettings.clientProperties(quickstart.settings());
            String registry = quickstart.settings().string(KafkaSettings.REGISTRY_URL);
            HostileCorpus corpus = HostileCorpus.generate(seed, records, month, registry, Instant.now(),
                    CostSettings.from(quickstart.settings()));
            System.out.println(corpus);

            long began = System.nanoTime();
            produce(client, corpus);
            long lag = quickstart.awaitDrained();
            double drainS = (System.nanoTime() - began) / 1e9;
            assertThat(lag).as("records left unconsumed: an application or the sink is stuck").isZero();
            for (KafkaStreams streams : quickstart.streams()) {
                assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
            }

            long afterBegan = System.nanoTime();
            quickstart.afterDrain(); // finance CSV, FOCUS, HTML report, chart, audit: as the quickstart does
            double afterS = (System.nanoTime() - afterBegan) / 1e9;
            String printed = screen.toString(StandardCharsets.UTF_8);
            System.out.println(printed.lines().filter(l -> !l.startsWith("progress")).collect(Collectors.joining("\n")));

            // Dead letters: each bad record once per application that reads its topic, with its kind's reason.
            Map<Integer, HostileCorpus.Kind> bad = new HashMap<>();
            corpus.records.stream().filter(e -> e.kind() != null).forEach(e -> bad.put(e.id(), e.kind()));
            Map<String, Map<String, Long>> figures = new TreeMap<>();
            figures.put("cost (gpu.samples.dlq)", deadLetters(client, Topics.GPU_SAMPLES_DLQ, null, bad, corpus, Topics.GPU_SAMPLES));
            figures.put("drift samples (gpu.drift.dlq)", deadLetters(client, Topics.GPU_DRIFT_DLQ, "drift-samples", bad, corpus, Topics.GPU_SAMPLES));
            figures.put("drift cost (gpu.drift.dlq)", deadLetters(client, Topics.GPU_DRIFT_DLQ, "drift-cost", bad, corpus, Topics.GPU_COST));
            for (String reader : List.of("rollup-costs", "alert-costs", "breakeven-costs")) {
                figures.put(reader + " (gpu.finance.dlq)", deadLetters(client, Topics.GPU_FINANCE_DLQ, reader, bad, corpus, Topics.GPU_COST));
            }
            figures.put("sink samples (gpu.sink.dlq)", deadLetters(client, Topics.GPU_SINK_DLQ, Topics.GPU_SAMPLES, bad, corpus, Topics.GPU_SAMPLES));
            figures.put("sink cost (gpu.sink.dlq)", deadLetters(client, Topics.GPU_SINK_DLQ, Topics.GPU_COST, bad, corpus, Topics.GPU_COST));
            assertNothingElseDeadLettered(client);

            // The audit: no difference, and the fold refused exactly the bad samples by the cost topology's reasons, so
            // the samples it costed are exactly the good ones (the corpus has no duplicate).
            assertThat(quickstart.auditDifferences()).isZero();
            assertThat(printed).contains("differences 0");
            assertThat(quickstart.audit().skipped().get(Topics.GPU_SAMPLES)).isEqualTo(corpus.expectedByReason(Topics.GPU_SAMPLES));
            assertThat(quickstart.audit().skipped().get(Topics.GPU_COST)).isEqualTo(corpus.expectedByReason(Topics.GPU_COST));
            assertThat(quickstart.audit().totalMicroUsd()).isPositive();

            // The store: exactly the good samples, none of the hostile GPUs, the edge names back unchanged.
            EmbeddedQuestDb store = quickstart.store();
            long rows = store.awaitRows("gpu_sample", "select count() from gpu_sample", corpus.good, Duration.ofSeconds(60));
            assertThat(rows).isEqualTo(corpus.good);
            assertThat(store.sql("select count() from gpu_sample where gpu_id like '%hostile%' or host like '%hostile%'")
                    .path("dataset").path(0).path(0).asLong()).isZero();
            for (String name : corpus.edgeNames) {
                assertThat(store.sql("select count() from gpu_cost where workload = '" + name.replace("'", "''") + "'")
                        .path("dataset").path(0).path(0).asLong()).as("edge name %s in the store", name).isPositive();
            }

            System.out.printf("hostile corpus seed %d: %d records (%d good, %d at an edge, %d hostile) written and drained in %.1f s,"
                            + " outputs and audit %.1f s; %s%n", seed, corpus.records.size(), corpus.good, corpus.edge, corpus.hostile(),
                    drainS, afterS, quickstart.audit().summary());
            System.out.println("records per kind: " + corpus.counts);
            figures.forEach((where, byReason) -> System.out.println("dead letters " + where + ": " + byReason));
            System.out.println("audit skipped: " + quickstart.audit().skipped());
        }
    }

    private static void produce(Properties client, HostileCorpus corpus) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(1 << 20));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (HostileCorpus.Entry e : corpus.records) {
                RecordHeaders headers = new RecordHeaders();
                headers.add(HostileCorpus.ID_HEADER, Integer.toString(e.id()).getBytes(StandardCharsets.UTF_8));
                producer.send(new ProducerRecord<>(e.topic(), null, e.timestampMs(), e.key(), e.value(), headers));
            }
            producer.flush();
        }
    }

    /**
     * The dead letters of one application in {@code dlq} ({@code reader}: the input name of a shared DLQ, the origin
     * topic in the sink's, null for the cost topology's own): exactly the bad records of {@code topic}, each once, with
     * its kind's reason. Returns the count by reason.
     */
    private static Map<String, Long> deadLetters(Properties client, String dlq, String reader, Map<Integer, HostileCorpus.Kind> bad,
                                                 HostileCorpus corpus, String topic) {
        Map<Integer, Integer> seen = new HashMap<>();
        Map<String, Long> byReason = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicRecords.readAll(client, dlq, Duration.ofSeconds(60))) {
            if (reader != null && !matches(r, reader)) {
                continue;
            }
            String id = header(r, HostileCorpus.ID_HEADER);
            assertThat(id).as("a dead letter in %s that is not of the corpus: %s %s", dlq, header(r, Topics.DLQ_REASON_HEADER),
                    header(r, Topics.DLQ_DETAIL_HEADER)).isNotNull();
            int n = Integer.parseInt(id);
            HostileCorpus.Kind kind = bad.get(n);
            assertThat(kind).as("good record %d dead-lettered in %s: %s %s", n, dlq, header(r, Topics.DLQ_REASON_HEADER),
                    header(r, Topics.DLQ_DETAIL_HEADER)).isNotNull();
            assertThat(kind.topic).isEqualTo(topic);
            assertThat(header(r, Topics.DLQ_REASON_HEADER)).as("reason of record %d (%s) in %s: %s", n, kind, dlq,
                    header(r, Topics.DLQ_DETAIL_HEADER)).isEqualTo(kind.reason);
            assertThat(seen.merge(n, 1, Integer::sum)).as("record %d dead-lettered once in %s", n, dlq).isEqualTo(1);
            byReason.merge(kind.reason, 1L, Long::sum);
        }
        assertThat(seen).as("bad records of %s in %s", topic, dlq).hasSize(corpus.hostile(topic));
        assertThat(byReason).isEqualTo(corpus.expectedByReason(topic));
        return byReason;
    }

    private static boolean matches(ConsumerRecord<byte[], byte[]> r, String reader) {
        if (reader.startsWith("gpu.")) {
            String origin = header(r, DecodedSource.ORIGIN_HEADER);
            return origin != null && origin.startsWith(reader + "/");
        }
        return reader.equals(header(r, DecodedSource.READER_HEADER));
    }

    /** gpu.finance.dlq holds only the three readers' letters, the sink's only gpu.samples' and gpu.cost's: nothing else went wrong. */
    private static void assertNothingElseDeadLettered(Properties client) {
        for (ConsumerRecord<byte[], byte[]> r : TopicRecords.readAll(client, Topics.GPU_FINANCE_DLQ, Duration.ofSeconds(60))) {
            assertThat(header(r, DecodedSource.READER_HEADER)).isIn("rollup-costs", "alert-costs", "breakeven-costs");
        }
        for (ConsumerRecord<byte[], byte[]> r : TopicRecords.readAll(client, Topics.GPU_DRIFT_DLQ, Duration.ofSeconds(60))) {
            assertThat(header(r, DecodedSource.READER_HEADER)).isIn("drift-samples", "drift-cost");
        }
        for (ConsumerRecord<byte[], byte[]> r : TopicRecords.readAll(client, Topics.GPU_SINK_DLQ, Duration.ofSeconds(60))) {
            assertThat(header(r, DecodedSource.ORIGIN_HEADER)).as("sink dead letter %s %s", header(r, Topics.DLQ_REASON_HEADER),
                    header(r, Topics.DLQ_DETAIL_HEADER)).matches("gpu\\.(samples|cost)/.*");
        }
        assertThat(TopicRecords.readAll(client, Topics.GPU_PRICES_DLQ, Duration.ofSeconds(10))).isEmpty();
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
