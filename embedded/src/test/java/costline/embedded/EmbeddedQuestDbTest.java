package costline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedQuestDbTest {

    @Test
    void acceptsInfluxV2WritesAndAnswersSql(@TempDir Path dir) throws Exception {
        try (EmbeddedQuestDb db = EmbeddedQuestDb.start(dir)) {
            // Two points of the same series and time: QuestDB keeps both rows (it has no upsert by default).
            String lines = "gpu_cost,workload=a,site=CLOUD cost_usd=1.25 1790000000000000000\n"
                    + "gpu_cost,workload=b,site=ONPREM cost_usd=2.5 1790000060000000000\n";
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(db.url() + "/api/v2/write?org=o&bucket=b&precision=ns"))
                            .POST(HttpRequest.BodyPublishers.ofString(lines)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(204);
            db.awaitRows("gpu_cost", "select count() from gpu_cost", 2, Duration.ofSeconds(30));
            var answer = db.sql("select sum(cost_usd) from gpu_cost");
            assertThat(answer.path("dataset").path(0).path(0).asDouble()).isEqualTo(3.75);
            assertThat(db.url()).startsWith("http://127.0.0.1:");
        }
    }

    /**
     * A write that overlaps the newest rows (every sink write does: its points come from several partitions and
     * seconds) merges only the overlapping tail of the day once 1 MB precedes it: the partition is split instead of
     * rewritten from its first row (QuestDB's default threshold, 50 MB, rewrote a whole day of samples per write). The
     * de-duplication still holds across the split: the overlapping point overwrites, it adds no row.
     */
    @Test
    void anOverlappingWriteSplitsTheDayInsteadOfRewritingItAndStillDeduplicates(@TempDir Path dir) throws Exception {
        try (EmbeddedQuestDb db = EmbeddedQuestDb.start(dir)) {
            db.sql("CREATE TABLE t (k SYMBOL, v DOUBLE, ts TIMESTAMP) TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(ts, k)");
            // 100,000 rows of 20 bytes half a second apart, one day: 2 MB before the overlap below
            db.sql("INSERT INTO t SELECT 'g' || (x % 10), 1.0, '2026-12-01T00:00:00.000000Z'::timestamp + x * 500_000 FROM long_sequence(100000)");
            awaitApplied(db);
            // the same key and time as the newest row but one (ts = start + 99,999 * 0.5 s, k = g9): an overwrite
            db.sql("INSERT INTO t VALUES ('g9', 2.0, '2026-12-01T00:00:00.000000Z'::timestamp + 99_999 * 500_000)");
            awaitApplied(db);
            assertThat(db.sql("SELECT count(), sum(v) FROM t").path("dataset").path(0).toString()).isEqualTo("[100000,100001.0]");
            assertThat(db.sql("SELECT count() FROM table_partitions('t')").path("dataset").path(0).path(0).asLong())
                    .as("the day split at the overlap, not rewritten").isEqualTo(2);
        }
    }

    private static void awaitApplied(EmbeddedQuestDb db) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            var row = db.sql("SELECT writerTxn, sequencerTxn FROM wal_tables() WHERE name = 't'").path("dataset").path(0);
            if (row.path(0).asLong() == row.path(1).asLong()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("t not applied within 30 s");
    }
}
