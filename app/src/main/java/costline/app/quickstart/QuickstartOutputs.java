package costline.app.quickstart;

import costline.app.whatif.BreakEvenChart;
import costline.events.BreakEvenRecommendation;
import costline.events.MonthlyRollup;
import costline.events.PriceEntry;
import costline.events.Site;
import costline.schemas.Topics;
import costline.streams.breakeven.BreakEvenCalculator;
import costline.streams.breakeven.BreakEvenResult;
import costline.streams.breakeven.DemandCurve;
import costline.streams.breakeven.OwnershipCost;
import costline.streams.finance.OnPremCatalog;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a quickstart run leaves in its output folder: the finance CSV and the break-even chart. */
final class QuickstartOutputs {

    /** Slots of the demand curve rebuilt from a recommendation's load-duration curve. */
    private static final int CURVE_SLOTS = 10_000;

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
     * the fleet's first. Its demand curve is rebuilt from the published load-duration curve f(k), which is all
     * that N* and the plans depend on; the on-prem side comes from the default catalog.
     */
    static Optional<Path> breakEvenChart(List<BreakEvenRecommendation> recommendations, Path outDir) throws IOException {
        Optional<BreakEvenRecommendation> chosen = recommendations.stream()
                .filter(r -> r.getPeakGpus() > 0)
                .max(Comparator.comparing((BreakEvenRecommendation r) -> r.getScope().startsWith("*"))
                        .thenComparingInt(BreakEvenRecommendation::getPeakGpus));
        if (chosen.isEmpty()) {
            return Optional.empty();
        }
        BreakEvenRecommendation r = chosen.get();
        Optional<PriceEntry> onPrem = onPremFor(r.getGpuModel());
        if (onPrem.isEmpty()) {
            return Optional.empty();
        }
        OwnershipCost owning = OwnershipCost.of(onPrem.get().getOnprem(), OnPremCatalog.defaults().boardPowerW(r.getGpuModel()));
        BreakEvenResult result = BreakEvenCalculator.compute(demandFrom(r.getLoadDuration()),
                r.getCloudMicroUsdPerGpuHour(), owning);
        Path file = outDir.resolve("break-even-" + r.getScope().replaceAll("[^A-Za-z0-9._-]", "") + ".png");
        try (OutputStream out = Files.newOutputStream(file)) {
            BreakEvenChart.writePng(result, onPrem.get().getOnprem().getAmortizationMonths(), 1200, 700, out);
        }
        return Optional.of(file);
    }

    /** A demand curve whose load-duration curve is {@code f}: slot i needs every k with f(k) > i / slots. */
    static DemandCurve demandFrom(List<Double> f) {
        int[] gpus = new int[CURVE_SLOTS];
        for (int i = 0; i < CURVE_SLOTS; i++) {
            int k = 0;
            while (k < f.size() && f.get(k) * CURVE_SLOTS > i) {
                k++;
            }
            gpus[i] = k;
        }
        return DemandCurve.ofGpus(60_000, gpus);
    }

    /** The catalog's stand-in for owning a GPU like {@code cloudModel}, by the topologies' own rule. */
    private static Optional<PriceEntry> onPremFor(String cloudModel) {
        // The newest version of each on-prem price, by price key, as the topologies' price store keeps it.
        Map<String, PriceEntry> latest = new HashMap<>();
        for (PriceEntry p : PriceCatalog.readDefault()) {
            if (p.getSite() == Site.ONPREM) {
                latest.merge(p.getPriceKey(), p, (a, b) -> b.getEffectiveFrom().isBefore(a.getEffectiveFrom()) ? a : b);
            }
        }
        return OnPremCatalog.defaults().resolve(cloudModel, latest::get, () -> List.copyOf(latest.values()));
    }
}
