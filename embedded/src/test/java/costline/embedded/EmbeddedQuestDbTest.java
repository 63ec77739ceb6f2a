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
}
