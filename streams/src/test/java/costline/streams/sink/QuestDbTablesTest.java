package costline.streams.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.InfluxDBClientOptions;
import costline.events.CostRecord;
import costline.events.Site;
import costline.embedded.EmbeddedQuestDb;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuestDbTablesTest {

    @Test
    void everyFieldHasAColumnType() {
        assertThat(QuestDbTables.ddl()).hasSize(Measurement.values().length)
                .allMatch(s -> s.contains("DEDUP UPSERT KEYS(timestamp"));
    }

    @Test
    void aPointWrittenTwiceIsOneRow(@TempDir Path dir) throws Exception {
        try (EmbeddedQuestDb db = EmbeddedQuestDb.start(dir)) {
            QuestDbTables.ddl().forEach(db::sql);
            CostRecord record = CostRecord.newBuilder().setWorkload("w").setTeam("t").setSite(Site.CLOUD)
                    .setGpuModel("m").setWindowStart(Instant.parse("2026-10-01T00:00:00Z"))
                    .setWindowEnd(Instant.parse("2026-10-01T00:01:00Z")).setGpuMs(60_000).setBusyGpuMs(30_000)
                    .setCostMicroUsd(68_271).setIdleMicroUsd(34_136).setEnergyMj(0).setSamples(1).setRevision(0).build();
            CostRecord later = CostRecord.newBuilder(record).setRevision(1).setCostMicroUsd(1_000).build();
            try (InfluxDBClient client = InfluxDBClientFactory.create(InfluxDBClientOptions.builder()
                    .url(db.url()).authenticateToken("unused".toCharArray()).org("o").bucket("b").build())) {
                var writer = client.getWriteApiBlocking();
                writer.writeRecords(InfluxPoints.PRECISION, List.of(InfluxPoints.cost(record).toLineProtocol(),
                        InfluxPoints.cost(later).toLineProtocol()));
                writer.writeRecord(InfluxPoints.PRECISION, InfluxPoints.cost(record).toLineProtocol()); // redelivered
            }
            db.awaitRows("gpu_cost", "select count() from gpu_cost", 2, Duration.ofSeconds(30));
            Thread.sleep(1000); // a third row, if dedup failed, would have been applied by now
            assertThat(db.sql("select count(), sum(cost_usd) from gpu_cost").path("dataset").path(0).toString())
                    .isEqualTo("[2,0.069271]");
        }
    }
}
