package costline.streams.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import costline.events.CostRecord;
import costline.events.MonthlyRollup;
import costline.events.OwnedGpu;
import costline.events.PriceEntry;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.registry.SchemaRegistry;
import costline.schemas.serde.AvroDeserializer;
import costline.streams.config.DecodedSource;
import costline.streams.config.Skips;
import costline.streams.cost.BatchFold;
import costline.streams.cost.DlqReason;
import costline.streams.finance.CostRecordCheck;
import costline.streams.rollup.RollupTopicReader;
import costline.streams.cost.CostSettings;
import costline.streams.finance.MonthCalendar;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code costline audit}: recomputes a month from the raw inputs and compares it, per workload, site and GPU model,
 * with (a) the sum of gpu.cost, (b) gpu.rollup.monthly, (c) the store's sums and (d) the finance CSV.
 *
 * <p>The fold reads gpu.prices whole, then gpu.samples partition by partition in offset order, and costs them with
 * {@link BatchFold}: the topology's pure code on plain maps, nothing of the Streams state. Topics are read with a
 * group-less, read_committed consumer, so an audit moves nobody's offsets and never sees an aborted transaction.
 */
public final class LedgerAudit {

    /**
     * The settings the audit reads (the command's options name the month and the store): Kafka and the registry,
     * the rollups' zone (the month's edges) and the cost topology's limits (the batch fold applies them as it does).
     */
    public static final List<costline.streams.config.Setting> SETTINGS = settings();

    private static List<costline.streams.config.Setting> settings() {
        List<costline.streams.config.Setting> all = new ArrayList<>(List.of(
                costline.streams.config.KafkaSettings.BOOTSTRAP, costline.streams.rollup.RollupConfig.ZONE));
        all.addAll(CostSettings.ALL);
        return List.copyOf(all);
    }

    /** How the store is asked for its sums. */
    public enum StoreQuery {
        /** InfluxDB's InfluxQL (/query, v1 compatibility API of 2.x, or 1.x). */
        INFLUXQL,
        /** QuestDB's SQL (/exec): the embedded store of the quickstart and the tests. */
        SQL,
        /** Do not compare with the store. */
        NONE
    }

    /** Where to read from. {@code csv} may be null (no CSV compared). */
    public record Options(Properties client, String registryUrl, YearMonth month, MonthCalendar calendar,
                          CostSettings cost, StoreQuery storeQuery, String storeUrl, String storeDatabase, char[] storeToken,
                          Path csv, Duration timeout) {
    }

    private LedgerAudit() {
    }

    public static AuditReport run(Options o) {
        SchemaRegistry registry = SchemaRegistries.forUrl(o.registryUrl());
        long from = o.calendar().startMs(o.month());
        long to = o.calendar().endMs(o.month());
        Map<String, Map<String, Long>> skipped = new LinkedHashMap<>();
        Map<LedgerKey, Long> fold = fold(o, registry, from, to, skipped);
        Map<String, Map<LedgerKey, Long>> sources = new LinkedHashMap<>();
        Skips costSkips = new Skips(Topics.GPU_COST);
        sources.put(Topics.GPU_COST, costSums(o, registry, from, to, costSkips));
        Skips rollupSkips = new Skips(Topics.GPU_ROLLUP_MONTHLY);
        sources.put(Topics.GPU_ROLLUP_MONTHLY, rollups(o, registry, rollupSkips));
        for (Skips s : List.of(costSkips, rollupSkips)) {
            if (s.total() > 0) {
                skipped.put(s.topic(), s.byReason());
            }
        }
        if (o.storeQuery() != StoreQuery.NONE) {
            sources.put("store", StoreSums.query(o.storeQuery(), o.storeUrl(), o.storeDatabase(), o.storeToken(),
                    Instant.ofEpochMilli(from), Instant.ofEpochMilli(to)));
        }
        if (o.csv() != null) {
            sources.put("csv", csv(o.csv(), o.month()));
        }
        return new AuditReport(o.month(), fold, sources, o.csv() == null ? Set.of() : Set.of("csv"), skipped);
    }

    /**
     * The batch fold of the month. {@code skipped} receives what was left out by topic and reason: gpu.prices records
     * that do not decode, and the samples the fold refused ({@code gpu.samples}: the cost topology's dead-letter
     * reasons, so they match its counters and gpu.samples.dlq).
     */
    static Map<LedgerKey, Long> fold(Options o, SchemaRegistry registry, long from, long to, Map<String, Map<String, Long>> skipped) {
        AvroDeserializer<PriceEntry> priceDecoder = new AvroDeserializer<>(registry, PriceEntry.class);
        Map<String, PriceEntry> versions = new HashMap<>();
        Skips priceSkips = new Skips(Topics.GPU_PRICES);
        read(o.client(), Topics.GPU_PRICES, o.timeout(), (partition, r) -> {
            String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
            if (key == null) {
                priceSkips.count("NULL_KEY");
                return;
            }
            if (r.value() == null) {
                versions.remove(key);
                return;
            }
            PriceEntry entry = priceSkips.decode(priceDecoder, r.value());
            if (entry != null) {
                versions.put(key, entry);
            } // else refused by the price store too; the version before it stays
        });
        if (priceSkips.total() > 0) {
            skipped.put(Topics.GPU_PRICES, priceSkips.byReason());
        }
        Map<LedgerKey, Long> out = new HashMap<>();
        BatchFold f = new BatchFold(o.cost(), registry, versions, (sample, inc) -> {
            if (inc.minuteMs() >= from && inc.minuteMs() < to) {
                out.merge(new LedgerKey(inc.workload(), inc.site(), inc.gpuModel()), inc.costMicroUsd(), Long::sum);
            }
        });
        // the inventory as it is now (latest entry per GPU), then the samples, then the owned GPUs' hours close at this
        // clock, as the topology's do on its wall clock (or at each partition's newest sample: cost.unobserved-clock)
        AvroDeserializer<OwnedGpu> gpuDecoder = new AvroDeserializer<>(registry, OwnedGpu.class);
        Map<String, Map.Entry<Integer, OwnedGpu>> inventory = new LinkedHashMap<>();
        readIfExists(o.client(), Topics.GPU_INVENTORY, o.timeout(), (partition, r) -> {
            String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
            if (key == null) {
                return;
            }
            if (r.value() == null) {
                inventory.remove(key);
                return;
            }
            try {
                inventory.put(key, Map.entry(partition, gpuDecoder.deserialize(Topics.GPU_INVENTORY, r.value())));
            } catch (RuntimeException e) {
                // dead-lettered by the topology too; the entry before it stays
            }
        }); // no inventory yet: no owned GPU accrues
        inventory.forEach((id, e) -> f.inventory(e.getKey(), id, e.getValue()));
        clockRefusals(o, f);
        read(o.client(), Topics.GPU_SAMPLES, o.timeout(), (partition, r) -> f.add(partition, r.offset(), r.value()));
        f.close(System.currentTimeMillis());
        if (f.refused() > 0) {
            skipped.put(Topics.GPU_SAMPLES, f.refusedByReason());
        }
        return out;
    }

    /** Reasons of the cost topology decided by its wall clock at processing time, which a re-read cannot judge. */
    static final Set<String> CLOCK_REASONS = Set.of(DlqReason.FUTURE_TIMESTAMP.name(), DlqReason.PAST_TIMESTAMP.name());

    /**
     * Tells the fold which gpu.samples records the topology refused by its clock, from their origin header in
     * gpu.samples.dlq (written in the same transaction as the topology's offsets, so it is complete for what it has
     * consumed). No DLQ topic: nothing was refused.
     */
    static void clockRefusals(Options o, BatchFold f) {
        String prefix = Topics.GPU_SAMPLES + "/";
        readIfExists(o.client(), Topics.GPU_SAMPLES_DLQ, o.timeout(), (partition, r) -> {
            String reason = header(r, Topics.DLQ_REASON_HEADER);
            String origin = header(r, DecodedSource.ORIGIN_HEADER);
            if (reason == null || origin == null || !CLOCK_REASONS.contains(reason) || !origin.startsWith(prefix)) {
                return;
            }
            int at = origin.lastIndexOf('@');
            try {
                f.refusedByClock(Integer.parseInt(origin.substring(prefix.length(), at)),
                        Long.parseLong(origin.substring(at + 1)), reason);
            } catch (RuntimeException e) {
                // not an origin the topology wrote: no decision to take over
            }
        });
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static Map<LedgerKey, Long> costSums(Options o, SchemaRegistry registry, long from, long to, Skips skips) {
        AvroDeserializer<CostRecord> decoder = new AvroDeserializer<>(registry, CostRecord.class);
        Map<LedgerKey, Long> out = new HashMap<>();
        read(o.client(), Topics.GPU_COST, o.timeout(), (partition, r) -> {
            CostRecord c = skips.decode(decoder, r.value());
            if (c == null) {
                return;
            }
            String invalid = CostRecordCheck.reasonOf(c);
            if (invalid != null) {
                skips.count(invalid); // what the rollups dead-letter
                return;
            }
            long start = c.getWindowStart().toEpochMilli();
            if (start >= from && start < to) {
                out.merge(new LedgerKey(c.getWorkload(), c.getSite().name(), c.getGpuModel()), c.getCostMicroUsd(), Long::sum);
            }
        });
        return out;
    }

    static Map<LedgerKey, Long> rollups(Options o, SchemaRegistry registry, Skips skips) {
        AvroDeserializer<MonthlyRollup> decoder = new AvroDeserializer<>(registry, MonthlyRollup.class);
        String prefix = o.month() + "|";
        Map<String, MonthlyRollup> latest = new HashMap<>();
        read(o.client(), Topics.GPU_ROLLUP_MONTHLY, o.timeout(), (partition, r) -> {
            String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
            if (key == null || !key.startsWith(prefix)) {
                return;
            }
            if (r.value() == null) {
                latest.remove(key);
                return;
            }
            MonthlyRollup m = skips.decode(decoder, r.value());
            String invalid = m == null ? null : RollupTopicReader.reasonOf(m);
            if (invalid != null) {
                skips.count(invalid); // left out of the CSV and the FOCUS file too
            } else if (m != null) {
                latest.put(key, m);
            }
        });
        Map<LedgerKey, Long> out = new HashMap<>();
        latest.values().forEach(m -> out.merge(new LedgerKey(m.getWorkload(), m.getSite().name(), m.getGpuModel()),
                m.getCostMicroUsd(), Long::sum));
        return out;
    }

    /** The CSV's rows (not TOTAL), cost_usd in cents as micro-USD. */
    static Map<LedgerKey, Long> csv(Path file, YearMonth month) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CSV " + file + ": " + e.getMessage(), e);
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(file + " is empty; expected the finance CSV of " + month);
        }
        List<String> header = Csv.split(lines.get(0));
        int workload = header.indexOf("workload");
        int site = header.indexOf("site");
        int model = header.indexOf("gpu_model");
        int cost = header.indexOf("cost_usd");
        int m = header.indexOf("month");
        if (Math.min(Math.min(workload, site), Math.min(model, Math.min(cost, m))) < 0) {
            throw new IllegalArgumentException(file + ": not a finance CSV (needs month, workload, site, gpu_model, cost_usd)");
        }
        Map<LedgerKey, Long> out = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            List<String> cells = Csv.split(line);
            if (cells.get(workload).equals("TOTAL") || !cells.get(m).equals(month.toString())) {
                continue;
            }
            long micro = new BigDecimal(cells.get(cost)).movePointRight(6).setScale(0, RoundingMode.UNNECESSARY).longValueExact();
            out.merge(new LedgerKey(cells.get(workload), cells.get(site), cells.get(model)), micro, Long::sum);
        }
        return out;
    }

    /**
     * Every committed record of {@code topic}, each partition in offset order (partitions one after another), to
     * {@code each}. Fails when the end is not reached within {@code timeout}.
     */
    static void read(Properties client, String topic, Duration timeout, BiConsumer<Integer, ConsumerRecord<byte[], byte[]>> each) {
        read(client, topic, timeout, false, each);
    }

    /** As {@link #read}, and a topic that does not exist has no records. */
    static void readIfExists(Properties client, String topic, Duration timeout, BiConsumer<Integer, ConsumerRecord<byte[], byte[]>> each) {
        read(client, topic, timeout, true, each);
    }

    private static void read(Properties client, String topic, Duration timeout, boolean mayBeMissing,
                             BiConsumer<Integer, ConsumerRecord<byte[], byte[]>> each) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "costline-audit");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Instant deadline = Instant.now().plus(timeout);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, timeout).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            if (partitions.isEmpty()) {
                if (mayBeMissing) {
                    return;
                }
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            for (TopicPartition tp : partitions) {
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                while (consumer.position(tp) < end.get(tp)) {
                    if (Instant.now().isAfter(deadline)) {
                        throw new IllegalStateException("reading " + topic + " did not reach its end within " + timeout
                                + "; raise --timeout");
                    }
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        if (r.offset() < end.get(tp)) {
                            each.accept(tp.partition(), r);
                        }
                    }
                }
            }
        }
    }

    /** The store's sums of gpu_cost.cost_usd per workload, site and GPU model over [from, to), micro-USD. */
    static final class StoreSums {
        private static final ObjectMapper JSON = new ObjectMapper();

        static Map<LedgerKey, Long> query(StoreQuery kind, String url, String database, char[] token, Instant from, Instant to) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            Map<LedgerKey, Long> out = new HashMap<>();
            try {
                if (kind == StoreQuery.SQL) {
                    String sql = "SELECT workload, site, gpu_model, sum(cost_usd) FROM gpu_cost WHERE timestamp >= '" + from
                            + "' AND timestamp < '" + to + "'";
                    JsonNode body = get(http, url + "/exec?query=" + enc(sql), null);
                    if (body.has("error")) {
                        throw new IllegalStateException("the store refused the audit's query: " + body.get("error").asText());
                    }
                    for (JsonNode row : body.path("dataset")) {
                        out.merge(new LedgerKey(row.get(0).asText(), row.get(1).asText(), row.get(2).asText()),
                                micro(row.get(3).asDouble()), Long::sum);
                    }
                } else {
                    String q = "SELECT sum(\"cost_usd\") FROM \"gpu_cost\" WHERE time >= '" + from + "' AND time < '" + to
                            + "' GROUP BY \"workload\", \"site\", \"gpu_model\"";
                    JsonNode body = get(http, url + "/query?db=" + enc(database) + "&q=" + enc(q), token);
                    for (JsonNode result : body.path("results")) {
                        if (result.has("error")) {
                            throw new IllegalStateException("the store refused the audit's query: " + result.get("error").asText());
                        }
                        for (JsonNode series : result.path("series")) {
                            JsonNode tags = series.path("tags");
                            out.merge(new LedgerKey(tags.path("workload").asText(), tags.path("site").asText(),
                                    tags.path("gpu_model").asText()), micro(series.path("values").path(0).path(1).asDouble()), Long::sum);
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("the store at " + url + " did not answer the audit's query: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            return out;
        }

        // dollars are written as doubles of exact 6-decimal values; their sum rounds back to the micro-dollar
        private static long micro(double dollars) {
            return BigDecimal.valueOf(dollars).movePointRight(6).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
        }

        private static JsonNode get(HttpClient http, String uri, char[] token) throws IOException, InterruptedException {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(60)).GET();
            if (token != null && token.length > 0) {
                b.header("Authorization", "Token " + new String(token));
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IOException("HTTP " + r.statusCode() + ": " + r.body());
            }
            return JSON.readTree(r.body());
        }

        private static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }
    }

    /** RFC 4180 cells of one line (as MonthlyReport writes them). */
    static final class Csv {
        static List<String> split(String line) {
            List<String> cells = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quoted) {
                    if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else if (c == '"') {
                        quoted = false;
                    } else {
                        cur.append(c);
                    }
                } else if (c == '"') {
                    quoted = true;
                } else if (c == ',') {
                    cells.add(cur.toString());
                    cur.setLength(0);
                } else {
                    cur.append(c);
                }
            }
            cells.add(cur.toString());
            return cells;
        }
    }
}
