package costline.app.report;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.MonthlyRollup;
import costline.events.RollupStatus;
import costline.events.Site;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The page as text, without a browser: escaping, and the exact sums behind the tiles. */
class HtmlReportTest {

    static final String HOSTILE = "\"><script>alert('x')</script><svg onload=alert(1)>&amp;";

    @Test
    void namesAreEscapedEverywhereTheyAppear() {
        MonthData data = month(List.of(row(HOSTILE, Site.CLOUD, 1_234_567L)), Map.of(HOSTILE, 1_234_567L));
        String html = HtmlReport.render(data, Instant.parse("2026-11-02T00:00:00Z"), "test <broker>");

        assertThat(html).doesNotContainIgnoringCase("<script").doesNotContain("<svg onload").doesNotContain("test <broker>");
        // In the legend, the table and the SVG text alike, the name is character references only.
        assertThat(html).contains("&lt;script&gt;alert(").contains("&amp;amp;").contains("test &lt;broker&gt;");
    }

    @Test
    void tilesSumExactMicroDollarsAndRoundOnce() {
        // Three rows of $0.005 each: rounded per row they would be $0.00 + $0.00 + $0.00 (half-even); summed exactly
        // first they are $0.015, which rounds half-even to $0.02.
        MonthData data = month(List.of(row("a", Site.CLOUD, 5_000), row("b", Site.CLOUD, 5_000), row("c", Site.CLOUD, 5_000)),
                Map.of("a", 5_000L));
        String html = HtmlReport.render(data, Instant.parse("2026-11-02T00:00:00Z"), "test");
        assertThat(html).contains("data-figure=\"cloud_usd\">$0.02<").contains("data-figure=\"total_usd\">$0.02<")
                .doesNotContain("data-figure=\"unobserved_usd\"");
    }

    /**
     * A valid 128-character name of letters outside the BMP (each a surrogate pair in Java): the chart's axis wraps the
     * long label between the two halves of a pair, and the page held a lone surrogate, which no UTF-8 writer takes
     * (the quickstart's report step failed with UnmappableCharacterException on the hostile corpus). The page must be
     * valid UTF-16, and the name whole in the tables.
     */
    @Test
    void aLongNameOfSupplementaryLettersKeepsThePageEncodable() {
        String name = "\uD835\uDC00".repeat(60) + " " + "\uD835\uDC01".repeat(67);
        assertThat(costline.schemas.Names.check(costline.schemas.Names.Kind.WORKLOAD, name)).isNull();
        MonthData data = month(List.of(row(name, Site.CLOUD, 1_000_000), row("b", Site.ONPREM, 2_000_000)), Map.of(name, 1_000_000L));
        String html = HtmlReport.render(data, Instant.parse("2026-11-02T00:00:00Z"), "test");
        assertThat(java.nio.charset.StandardCharsets.UTF_8.newEncoder().canEncode(html)).isTrue();
        assertThat(html).contains(name);
    }

    private static MonthData month(List<MonthlyRollup> rows, Map<String, Long> day1) {
        TreeMap<LocalDate, Map<String, Long>> daily = new TreeMap<>();
        daily.put(LocalDate.parse("2026-10-01"), day1);
        return new MonthData(YearMonth.parse("2026-10"),
                rows.stream().map(r -> new MonthData.Sourced<>(r, "gpu.rollup.monthly", 0, 0,
                        "2026-10|" + r.getWorkload() + "|" + r.getSite() + "|" + r.getGpuModel())).toList(),
                List.of(), daily, new TreeMap<>(), new TreeMap<>(), List.of(), List.of(), 1, 0);
    }

    private static MonthlyRollup row(String workload, Site site, long micro) {
        return MonthlyRollup.newBuilder().setMonth("2026-10").setZone("UTC").setWorkload(workload).setTeam("t").setSite(site)
                .setGpuModel("NVIDIA A10G").setStatus(RollupStatus.FINAL).setRevision(0).setGpuMs(3_600_000).setBusyGpuMs(1_800_000)
                .setCostMicroUsd(micro).setIdleMicroUsd(micro / 2).setEnergyMj(0).setUpdatedAt(Instant.parse("2026-10-31T00:00:00Z")).build();
    }
}
