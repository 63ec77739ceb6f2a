package costline.streams.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.InfluxDBClientOptions;
import costline.embedded.EmbeddedQuestDb;
import costline.events.CostRecord;
import costline.events.MonthlyRollup;
import costline.events.RollupStatus;
import costline.events.Site;
import costline.schemas.Names;
import costline.streams.rollup.MonthlyReport;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every name the one rule allows comes back unchanged from the store and from the finance CSV: the names below use
 * each allowed punctuation character, inner spaces, letters outside ASCII and the full length.
 */
class NameRoundTripTest {

    static final List<String> NAMES = List.of("train llm v2", "a-b_c.d:e/f@g+h#i(j)", "Übersetzung (nightly) #2", "推理服务",
            "x".repeat(Names.MAX_LENGTH), "/kubepods/burstable/pod1234", "ns/job:8080", "9", "_fleet_", "unallocated_");

    @Test
    void validNamesRoundTripThroughTheStoreAndTheCsv(@TempDir Path dir) throws Exception {
        NAMES.forEach(n -> assertThat(Names.check(Names.Kind.WORKLOAD, n)).as(n).isNull());
        List<CostRecord> records = new ArrayList<>();
        Instant t = Instant.parse("2026-10-01T00:00:00Z");
        for (String name : NAMES) {
            records.add(CostRecord.newBuilder().setWorkload(name).setTeam(name).setSite(Site.CLOUD).setGpuModel(name)
                    .setWindowStart(t).setWindowEnd(t.plusSeconds(60)).setGpuMs(60_000).setBusyGpuMs(30_000)
                    .setCostMicroUsd(1).setIdleMicroUsd(0).setEnergyMj(0).setSamples(1).setRevision(0).build());
        }
        try (EmbeddedQuestDb db = EmbeddedQuestDb.start(dir)) {
            QuestDbTables.ddl().forEach(db::sql);
            try (InfluxDBClient client = InfluxDBClientFactory.create(InfluxDBClientOptions.builder()
                    .url(db.url()).authenticateToken("unused".toCharArray()).org("o").bucket("b").build())) {
                client.getWriteApiBlocking().writeRecords(InfluxPoints.PRECISION,
                        records.stream().map(r -> InfluxPoints.cost(r).toLineProtocol()).toList());
            }
            db.awaitRows("gpu_cost", "select count() from gpu_cost", NAMES.size(), Duration.ofSeconds(30));
            JsonNode rows = db.sql("select workload, team, gpu_model from gpu_cost").path("dataset");
            Set<String> workloads = new HashSet<>();
            for (JsonNode row : rows) {
                assertThat(row.get(1).asText()).isEqualTo(row.get(0).asText());
                assertThat(row.get(2).asText()).isEqualTo(row.get(0).asText());
                workloads.add(row.get(0).asText());
            }
            assertThat(workloads).containsExactlyInAnyOrderElementsOf(NAMES);
        }

        StringWriter csv = new StringWriter();
        List<MonthlyRollup> rollups = NAMES.stream().map(n -> MonthlyRollup.newBuilder().setMonth("2026-10").setZone("UTC")
                .setWorkload(n).setTeam(n).setSite(Site.CLOUD).setGpuModel(n).setStatus(RollupStatus.FINAL).setRevision(0)
                .setGpuMs(1).setBusyGpuMs(0).setCostMicroUsd(1).setIdleMicroUsd(0).setEnergyMj(0)
                .setUpdatedAt(t).build()).toList();
        MonthlyReport.write("2026-10", rollups, csv);
        List<String> lines = csv.toString().lines().toList();
        Set<String> fromCsv = new HashSet<>();
        for (String line : lines.subList(1, lines.size() - 1)) {
            // a valid name holds no comma, quote or line break: no cell of it is quoted, so a plain split reads it
            String[] cells = line.split(",", -1);
            assertThat(cells).hasSize(MonthlyReport.COLUMNS.size());
            assertThat(cells[3]).isEqualTo(cells[2]);
            assertThat(cells[5]).isEqualTo(cells[2]);
            fromCsv.add(cells[2]);
        }
        assertThat(fromCsv).containsExactlyInAnyOrderElementsOf(NAMES);
    }
}
