package costline.app.quickstart;

import costline.app.report.HtmlReport;
import costline.app.report.MonthData;
import costline.app.report.MonthDataReader;
import costline.app.whatif.BreakEvenChart;
import costline.app.whatif.PublishedRecommendation;
import costline.events.BreakEvenRecommendation;
import costline.events.MonthlyRollup;
import costline.schemas.Topics;
import costline.streams.focus.CloudPlacements;
import costline.streams.focus.FocusCsv;
import costline.streams.focus.FocusExport;
import costline.streams.focus.FocusMetadata;
import costline.streams.focus.FocusSettings;
import costline.streams.prices.PriceCatalog;
import costline.streams.rollup.MonthlyReport;
import costline.streams.rollup.RollupTopicReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a quickstart run leaves in its output folder: the finance CSV, the month's HTML report and the break-even chart. */
final class QuickstartOutputs {

    private QuickstartOutputs() {
    }

    /** The month's rollups as finance reads them (from the rollup topic, not the store), as CSV. */
    static Path financeCsv(String bootstrap, String registryUrl, YearMonth month, Path outDir) throws IOException {
        Map<String, MonthlyRollup> rows = RollupTopicReader.latestOfMonth(bootstrap, registryUrl,
                Topics.GPU_ROLLUP_MONTHLY, month.toString(), Duration.ofSeconds(60));
        Path file = outDir.resolve("costline-" + month + ".csv");
        try (Writer out = Files.newBufferedWriter(file)) {
            MonthlyReport.write(month.toString(), rows.values(), out);
        }
        return file;
    }

    /** The month's report, as {@code costline report html} writes it, next to the CSV. */
    static Path htmlReport(String bootstrap, String registryUrl, YearMonth month, Path outDir) throws IOException {
        MonthData data = MonthDataReader.read(bootstrap, registryUrl, month, Duration.ofSeconds(120));
        Path file = outDir.resolve("costline-" + month + ".html");
        Files.writeString(file, HtmlReport.render(data, Instant.now(), "the quickstart's embedded Kafka"), StandardCharsets.UTF_8);
        return file;
    }

    /**
     * The same month as a FOCUS 1.2 dataset, {@code costline-<month>.focus.csv}, from every rollup record of the month
     * (a correction after FINAL is a Correction row). Its EffectiveCost total equals the finance CSV's TOTAL.
     */
    static FocusExport.Result focusCsv(String bootstrap, String registryUrl, YearMonth month, Path outDir) throws IOException {
        List<MonthlyRollup> history = RollupTopicReader.historyOfMonth(bootstrap, registryUrl,
                Topics.GPU_ROLLUP_MONTHLY, month.toString(), Duration.ofSeconds(60));
        FocusExport.Result result = new FocusExport(FocusSettings.defaults(), CloudPlacements.of(PriceCatalog.readDefault()))
                .export(month, history);
        try (OutputStream out = Files.newOutputStream(focusFile(month, outDir))) {
            FocusCsv.write(result, out, false);
        }
        FocusMetadata.writeBeside(focusFile(month, outDir), java.time.Instant.now());
        return result;
    }

    static Path focusFile(YearMonth month, Path outDir) {
        return outDir.resolve("costline-" + month + ".focus.csv");
    }

    /**
     * The chart of cumulative cost (cloud only, buy, hybrid N*) for the recommendation with the largest peak,
     * the fleet's first, recomputed from what was published.
     */
    static Optional<Path> breakEvenChart(List<BreakEvenRecommendation> recommendations, Path outDir) throws IOException {
        Optional<BreakEvenRecommendation> chosen = recommendations.stream()
                .filter(r -> r.getPeakGpus() > 0)
                .max(Comparator.comparing((BreakEvenRecommendation r) -> r.getScope().startsWith("*"))
                        .thenComparingInt(BreakEvenRecommendation::getPeakGpus));
        Optional<PublishedRecommendation.Replay> replay = chosen.flatMap(PublishedRecommendation::replay);
        if (replay.isEmpty()) {
            return Optional.empty();
        }
        Path file = outDir.resolve("break-even-" + chosen.get().getScope().replaceAll("[^A-Za-z0-9._-]", "") + ".png");
        try (OutputStream out = Files.newOutputStream(file)) {
            BreakEvenChart.writePng(replay.get().result(), replay.get().horizonMonths(), 1200, 700, out);
        }
        return Optional.of(file);
    }
}
