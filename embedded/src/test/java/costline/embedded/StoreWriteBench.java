package costline.embedded;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The embedded store alone under the sink's 1 Hz load, ours against QuestDB's defaults, back to back in one process:
 * 10,000 GPUs' gpu_sample points (the sink's line protocol and table: DEDUP on time and every tag) each second for
 * {@code seconds} seconds, every second's points sent in {@code requests} requests (the sink's writes: about 10 a second
 * at sink.fetch-wait 100 ms, 40 and more when each fetch was answered at its first record), all stamped with that
 * second as PipelineBench's fleet is, so each write overlaps the rows before it. Prints the CPU of QuestDB's threads per
 * point, from the first write until the table has applied every one. The load is paced in real time (the store idles
 * between writes as it does behind the sink), so the figure does not depend on how fast the rest of a pipeline runs.
 *
 * <p>Run: {@code scripts/bench.sh store [--seconds 20] [--requests 10,40]}
 */
public final class StoreWriteBench {

    private static final int GPUS = 10_000;
    /** The sink's table (QuestDbTables in streams: this module does not see it). */
    private static final String DDL = "CREATE TABLE IF NOT EXISTS gpu_sample (host SYMBOL, gpu_id SYMBOL, gpu_model SYMBOL, site SYMBOL,"
            + " region SYMBOL, instance_type SYMBOL, source SYMBOL, util_gpu DOUBLE, util_mem DOUBLE, mem_used_bytes LONG,"
            + " power_w DOUBLE, temp_c LONG, sm_clock_mhz LONG, timestamp TIMESTAMP) TIMESTAMP(timestamp) PARTITION BY DAY WAL"
            + " DEDUP UPSERT KEYS(timestamp, host, gpu_id, gpu_model, site, region, instance_type, source)";
    /** QuestDB's own values of the settings EmbeddedQuestDb sets for the store's CPU. */
    private static final Map<String, String> QUESTDB_DEFAULTS = Map.of("QDB_CAIRO_MAT_VIEW_ENABLED", "true",
            "QDB_WAL_APPLY_WORKER_COUNT", "2", "QDB_CAIRO_O3_PARTITION_SPLIT_MIN_SIZE", "50M");

    private StoreWriteBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int seconds = Integer.parseInt(opt.getOrDefault("seconds", "20"));
        String[] requests = opt.getOrDefault("requests", "10,40").split(",");
        System.out.printf(Locale.ROOT, "embedded store, gpu_sample of %,d GPUs at 1 Hz for %d s, %d cores%n", GPUS, seconds,
                Runtime.getRuntime().availableProcessors());
        Map<String, Double> last = new LinkedHashMap<>();
        for (String r : requests) {
            int perSecond = Integer.parseInt(r.trim());
            double defaults = run("QuestDB defaults", QUESTDB_DEFAULTS, seconds, perSecond);
            double ours = run("ours", Map.of(), seconds, perSecond);
            last.put(perSecond + " writes/s", ours / defaults);
        }
        System.out.println("store: " + last.entrySet().stream().map(e -> String.format(Locale.ROOT, "%.2f at %s", e.getValue(), e.getKey()))
                .reduce((a, b) -> a + ", " + b).orElse("") + " (QuestDB threads' CPU per point, ours / QuestDB's defaults)");
    }

    /** CPU of QuestDB's threads per point, in microseconds. */
    private static double run(String name, Map<String, String> overrides, int seconds, int perSecond) throws Exception {
        Path dir = Files.createTempDirectory("store-bench-");
        try (EmbeddedQuestDb db = EmbeddedQuestDb.start(dir, 0, overrides)) {
            db.sql(DDL);
            HttpClient http = HttpClient.newHttpClient();
            URI write = URI.create(db.url() + "/api/v2/write?org=o&bucket=b&precision=us");
            Instant t0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            send(http, write, t0.minusSeconds(1), 0, GPUS); // tables, symbols and JIT warm before the measured part
            awaitApplied(db);
            Map<Long, Long> cpu0 = questDbCpu();
            long began = System.nanoTime();
            int requests = 0;
            for (int s = 0; s < seconds; s++) {
                for (int q = 0; q < perSecond; q++) {
                    long due = began + (s * 1_000_000_000L) + q * 1_000_000_000L / perSecond;
                    long ahead = due - System.nanoTime();
                    if (ahead > 0) {
                        LockSupport.parkNanos(ahead);
                    }
                    send(http, write, t0.plusSeconds(s), q * GPUS / perSecond, (q + 1) * GPUS / perSecond);
                    requests++;
                }
            }
            awaitApplied(db);
            double applied = (System.nanoTime() - began) / 1e9;
            Map<Long, Long> cpu1 = questDbCpu();
            long cpu = 0;
            for (Map.Entry<Long, Long> e : cpu1.entrySet()) {
                cpu += e.getValue() - cpu0.getOrDefault(e.getKey(), 0L);
            }
            long points = (long) seconds * GPUS;
            long rows = db.sql("SELECT count() FROM gpu_sample").path("dataset").path(0).path(0).asLong();
            double perPoint = cpu / 1e3 / points;
            System.out.printf(Locale.ROOT, "  %-16s %3d writes/s: QuestDB threads %.1f us CPU per point (%.1f s; %,d points in %,d writes,"
                    + " applied %.1f s after the first; %,d rows, load %s)%n", name, perSecond, perPoint, cpu / 1e9, points, requests, applied,
                    rows, Files.readString(Path.of("/proc/loadavg")).substring(0, 14));
            return perPoint;
        }
    }

    private static void send(HttpClient http, URI write, Instant second, int fromGpu, int toGpu) throws Exception {
        StringBuilder lines = new StringBuilder((toGpu - fromGpu) * 260);
        long micros = second.getEpochSecond() * 1_000_000L;
        for (int g = fromGpu; g < toGpu; g++) {
            lines.append("gpu_sample,host=node-").append(g / 8).append(",gpu_id=GPU-").append(g)
                    .append(",gpu_model=NVIDIA\\ H100\\ 80GB\\ HBM3,site=CLOUD,source=NVML,region=us-east-1,instance_type=p5.48xlarge")
                    .append(" util_gpu=").append((g * 7 + micros / 1_000_000) % 100).append(".5,util_mem=41.25,mem_used_bytes=")
                    .append(40_000_000_000L + g).append("i,power_w=612.5,temp_c=61i,sm_clock_mhz=1980i ").append(micros).append('\n');
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(write).POST(HttpRequest.BodyPublishers.ofString(lines.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 204) {
            throw new IllegalStateException("write refused: HTTP " + r.statusCode() + " " + r.body());
        }
    }

    private static void awaitApplied(EmbeddedQuestDb db) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            var row = db.sql("SELECT writerTxn, sequencerTxn FROM wal_tables() WHERE name = 'gpu_sample'").path("dataset").path(0);
            if (row.path(0).asLong() == row.path(1).asLong()) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("gpu_sample not applied within 5 min");
    }

    /** CPU time of QuestDB's worker and log threads, by thread id. */
    private static Map<Long, Long> questDbCpu() {
        var mx = ManagementFactory.getThreadMXBean();
        Map<Long, Long> out = new HashMap<>();
        for (var info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            String n = info.getThreadName();
            if (n.startsWith("shared-") || n.startsWith("wal-apply") || n.startsWith("mat-view") || n.startsWith("export")
                    || n.startsWith("logging") || n.startsWith("questdb")) {
                long t = mx.getThreadCpuTime(info.getThreadId());
                if (t >= 0) {
                    out.put(info.getThreadId(), t);
                }
            }
        }
        return out;
    }
}
