package costline.streams.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.MonthlyRollup;
import costline.events.RollupStatus;
import costline.events.Site;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MonthlyReportTest {

    static MonthlyRollup row(String month, String workload, String team, RollupStatus status, long cost) {
        return MonthlyRollup.newBuilder().setMonth(month).setZone("UTC").setWorkload(workload).setTeam(team)
                .setSite(Site.CLOUD).setGpuModel("NVIDIA A10G").setStatus(status).setRevision(0)
                .setGpuMs(3_600_000).setBusyGpuMs(900_000).setCostMicroUsd(cost).setIdleMicroUsd(cost / 4)
                .setEnergyMj(0).setUpdatedAt(Instant.parse("2026-10-31T23:59:00Z")).build();
    }

    @Test
    void otherMonthsAreLeftOutCellsAreQuotedAndTheTotalIsRoundedOnce() {
        StringWriter out = new StringWriter();
        MonthlyReport.write("2026-10", List.of(
                row("2026-10", "say \"hi\"", null, RollupStatus.FINAL, 1_005_000),
                row("2026-10", "batch", "data", RollupStatus.MONTH_TO_DATE, 1_005_000),
                row("2026-09", "batch", "data", RollupStatus.FINAL, 99_000_000)), out);
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(1)).startsWith("2026-10,UTC,batch,data,CLOUD,NVIDIA A10G,MONTH_TO_DATE,0,1.000000,0.250000,25.00,1.00,0.25,");
        assertThat(lines.get(2)).startsWith("2026-10,UTC,\"say \"\"hi\"\"\",,CLOUD,");
        // $1.005 + $1.005 = $2.01 exactly; adding the rounded rows would give $2.00
        assertThat(lines.get(3)).isEqualTo("2026-10,UTC,TOTAL,,,,MONTH_TO_DATE,,2.000000,0.500000,25.00,2.01,0.50,0.000000,");
    }

    @Test
    void anEmptyMonthIsTheHeaderAndAZeroTotal() {
        StringWriter out = new StringWriter();
        MonthlyReport.write("2027-01", List.of(), out);
        assertThat(out.toString()).isEqualTo(String.join(",", MonthlyReport.COLUMNS) + "\r\n"
                + "2027-01,,TOTAL,,,,FINAL,,0.000000,0.000000,,0.00,0.00,0.000000,\r\n");
    }

    @Test
    void aHostileWorkloadNameComesOutAsTextNotAFormula() {
        StringWriter out = new StringWriter();
        MonthlyReport.write("2026-10", List.of(row("2026-10", "=HYPERLINK(\"http://x\",\"a,b\")\nline2", "@team", RollupStatus.FINAL, 1_000_000)), out);
        // the leading '=' and '@' get an apostrophe; the comma, quotes and newline are quoted as RFC 4180 says
        assertThat(out.toString()).contains("2026-10,UTC,\"'=HYPERLINK(\"\"http://x\"\",\"\"a,b\"\")\nline2\",'@team,CLOUD,");
    }
}
