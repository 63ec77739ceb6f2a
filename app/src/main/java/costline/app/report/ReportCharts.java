package costline.app.report;

import costline.app.whatif.BreakEvenChart;
import costline.app.whatif.PublishedRecommendation;
import costline.events.DriftSignal;
import costline.events.MonthlyRollup;
import costline.events.Severity;
import costline.events.SpendAlert;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.text.NumberFormat;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.DateAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StackedBarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report's charts, built with JFreeChart (drawn to SVG by {@link Svg}). Charts carry no legend of their own:
 * the page lists each series with its colour in HTML, so names are escaped once, in one place, and wrap when long.
 */
final class ReportCharts {

    /** A chart and what its legend lists (series name -> colour). */
    record Chart(JFreeChart chart, Map<String, Color> legend) {
    }

    /** Colour-blind-safe qualitative colours (Okabe-Ito, then Dark2); none is a grey. */
    static final List<Color> PALETTE = List.of(new Color(0x00, 0x72, 0xB2), new Color(0xE6, 0x9F, 0x00),
            new Color(0x00, 0x9E, 0x73), new Color(0xCC, 0x79, 0xA7), new Color(0xD5, 0x5E, 0x00),
            new Color(0x56, 0xB4, 0xE9), new Color(0x75, 0x70, 0xB3), new Color(0x66, 0xA6, 0x1E),
            new Color(0xA6, 0x76, 0x1D), new Color(0xE7, 0x29, 0x8A));
    /** Workloads beyond the palette are summed into one series, so the chart stays legible. */
    static final String OTHER = "(other workloads)";
    private static final Font TITLE = new Font("SansSerif", Font.BOLD, 14);
    private static final Color GRID = new Color(0xDD, 0xDD, 0xDD);

    private ReportCharts() {
    }

    /** Cost per day, one stacked bar per day of the month, one segment per workload (largest first). */
    static Chart dailyCost(YearMonth month, SortedMap<LocalDate, Map<String, Long>> daily) {
        Map<String, Long> byWorkload = new TreeMap<>();
        daily.values().forEach(day -> day.forEach((w, c) -> byWorkload.merge(w, c, Long::sum)));
        List<String> order = byWorkload.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey).toList();
        List<String> shown = order.size() <= PALETTE.size() ? order : order.subList(0, PALETTE.size() - 1);
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (int d = 1; d <= month.lengthOfMonth(); d++) {
            Map<String, Long> day = daily.getOrDefault(month.atDay(d), Map.of());
            String column = String.format("%02d", d);
            long other = 0;
            for (String w : order) {
                long micro = day.getOrDefault(w, 0L);
                if (shown.contains(w)) {
                    data.addValue(micro / 1e6, w, column);
                } else {
                    other += micro;
                }
            }
            if (shown.size() < order.size()) {
                data.addValue(other / 1e6, OTHER, column);
            }
        }
        StackedBarRenderer bars = new StackedBarRenderer();
        Map<String, Color> legend = colour(bars, data.getRowKeys());
        CategoryPlot plot = categoryPlot(data, "day of " + month, "cost per day (USD)", bars, PlotOrientation.VERTICAL);
        return new Chart(chart("Daily cost per workload, " + month, plot), legend);
    }

    /**
     * Cloud spend month-to-date of one scope against its on-prem line as gpu.alerts reported it at each transition, with
     * each crossing (a FIRING transition) marked. X: day of month, the spend plotted at the end of each day.
     */
    static Chart cloudVsLine(String scope, YearMonth month, ZoneId zone, SortedMap<LocalDate, Long> dailyCloud,
                             List<SpendAlert> alerts) {
        XYSeries mtd = new XYSeries("cloud month-to-date", true, false);
        mtd.add(0, 0);
        long sum = 0;
        LocalDate last = dailyCloud.isEmpty() ? month.atDay(1) : dailyCloud.lastKey();
        for (int d = 1; d <= last.getDayOfMonth(); d++) {
            sum += dailyCloud.getOrDefault(month.atDay(d), 0L);
            mtd.add(d, sum / 1e6);
        }
        XYSeriesCollection data = new XYSeriesCollection(mtd);
        XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, false);
        lines.setDrawSeriesLineAsPath(true);
        lines.setSeriesPaint(0, PALETTE.get(0));
        lines.setSeriesStroke(0, new BasicStroke(2.5f));
        Map<String, Color> legend = new LinkedHashMap<>();
        legend.put("cloud month-to-date (gpu.cost)", PALETTE.get(0));

        NumberAxis days = new NumberAxis("day of " + month);
        days.setRange(0, month.lengthOfMonth());
        days.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        NumberAxis dollars = dollarAxis("USD");
        XYPlot plot = new XYPlot(data, days, dollars, lines);
        style(plot);
        if (!alerts.isEmpty()) {
            // The line grows through the month (its energy part follows the busy hours so far): plot it as each alert
            // reported it, held until the next one and to the month's end, not the final value back-dated.
            XYSeries reported = new XYSeries("on-prem line", true, true);
            double top = sum / 1e6;
            for (SpendAlert a : alerts) {
                double x = Math.min(month.lengthOfMonth(), dayOfMonth(a.getAt().atZone(zone).toLocalDateTime(), month));
                double y = a.getOnpremLineMicroUsd() / 1e6;
                reported.addOrUpdate(x, y);
                top = Math.max(top, y);
            }
            double lastLine = alerts.get(alerts.size() - 1).getOnpremLineMicroUsd() / 1e6;
            if (reported.getMaxX() < month.lengthOfMonth()) {
                reported.add(month.lengthOfMonth(), lastLine);
            }
            data.addSeries(reported);
            Color c = PALETTE.get(1);
            lines.setSeriesPaint(1, c);
            lines.setSeriesStroke(1, new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 5f}, 0f));
            lines.setSeriesShapesVisible(1, true);
            lines.setSeriesShape(1, new java.awt.geom.Rectangle2D.Double(-3.5, -3.5, 7, 7));
            // the range must show the line even while spend is far below it
            dollars.setRange(0, top * 1.12);
            legend.put("on-prem line as each gpu.alerts transition reported it (last: " + wholeDollars(lastLine) + ")", c);
        }
        for (SpendAlert a : alerts) {
            if (a.getState().name().equals("FIRING")) {
                double at = dayOfMonth(a.getAt().atZone(zone).toLocalDateTime(), month);
                Color c = PALETTE.get(4);
                ValueMarker crossed = new ValueMarker(at, c, new BasicStroke(2f));
                crossed.setLabel(String.format(Locale.US, "crossed %s", a.getAt().atZone(zone).toLocalDate()));
                crossed.setLabelAnchor(RectangleAnchor.TOP_LEFT);
                crossed.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
                plot.addDomainMarker(crossed);
                legend.put("crossing (FIRING alert)", c);
            }
        }
        return new Chart(chart("Cloud month-to-date vs on-prem line: " + scope, plot), legend);
    }

    /** Idle share of each workload's cost, percent. */
    static Chart idleShare(List<MonthlyRollup> rows) {
        Map<String, long[]> byWorkload = new TreeMap<>();
        for (MonthlyRollup r : rows) {
            long[] t = byWorkload.computeIfAbsent(r.getWorkload(), w -> new long[2]);
            t[0] += r.getIdleMicroUsd();
            t[1] += r.getCostMicroUsd();
        }
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        byWorkload.entrySet().stream().filter(e -> e.getValue()[1] > 0)
                .sorted(Comparator.comparingDouble((Map.Entry<String, long[]> e) -> -(double) e.getValue()[0] / e.getValue()[1]))
                .forEach(e -> data.addValue(100.0 * e.getValue()[0] / e.getValue()[1], "idle share", e.getKey()));
        BarRenderer bars = new BarRenderer();
        Map<String, Color> legend = colour(bars, data.getRowKeys());
        CategoryPlot plot = categoryPlot(data, "workload", "idle share of cost (%)", bars, PlotOrientation.HORIZONTAL);
        ((NumberAxis) plot.getRangeAxis()).setRange(0, 100);
        ((NumberAxis) plot.getRangeAxis()).setNumberFormatOverride(NumberFormat.getIntegerInstance(Locale.US));
        return new Chart(chart("Idle share per workload", plot), legend);
    }

    /** GPU-hours of the month by site and GPU model. */
    static Chart gpuHours(List<MonthlyRollup> rows) {
        Map<String, Long> bySiteModel = new TreeMap<>();
        rows.forEach(r -> bySiteModel.merge(r.getSite() + " " + r.getGpuModel(), r.getGpuMs(), Long::sum));
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        bySiteModel.forEach((k, ms) -> data.addValue(ms / 3_600_000.0, "GPU-hours", k));
        BarRenderer bars = new BarRenderer();
        Map<String, Color> legend = colour(bars, data.getRowKeys());
        CategoryPlot plot = categoryPlot(data, "site and GPU model", "GPU-hours", bars, PlotOrientation.HORIZONTAL);
        return new Chart(chart("GPU-hours by site and model", plot), legend);
    }

    /** The what-if command's cumulative-cost chart for a published recommendation, when its plans can be recomputed. */
    static java.util.Optional<Chart> breakEven(costline.events.BreakEvenRecommendation r) {
        return PublishedRecommendation.replay(r).map(replay -> {
            JFreeChart chart = BreakEvenChart.build(replay.result(), replay.horizonMonths());
            Map<String, Color> legend = new LinkedHashMap<>();
            XYPlot plot = chart.getXYPlot();
            for (int i = 0; i < plot.getDataset().getSeriesCount(); i++) {
                legend.put(String.valueOf(plot.getDataset().getSeriesKey(i)), (Color) plot.getRenderer().getSeriesPaint(i));
            }
            chart.removeLegend();
            chart.setTitle(chart.getTitle().getText() + " (" + r.getScope() + ", " + r.getGpuModel() + ")");
            chart.getTitle().setFont(TITLE);
            return new Chart(chart, legend);
        });
    }

    /** Drift signals on a timeline: one row per entity and metric, one mark per signal, coloured by severity. */
    static Chart driftTimeline(YearMonth month, ZoneId zone, List<DriftSignal> signals) {
        List<String> rows = signals.stream().map(ReportCharts::driftRow).distinct().sorted().toList();
        Map<Severity, XYSeries> bySeverity = new TreeMap<>();
        for (DriftSignal d : signals) {
            bySeverity.computeIfAbsent(d.getSeverity(), s -> new XYSeries(s.name(), false, true))
                    .add(d.getDetectedAt().toEpochMilli(), rows.indexOf(driftRow(d)));
        }
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer marks = new XYLineAndShapeRenderer(false, true);
        Map<String, Color> legend = new LinkedHashMap<>();
        Map<Severity, Color> colours = Map.of(Severity.INFO, PALETTE.get(5), Severity.WARNING, PALETTE.get(1),
                Severity.CRITICAL, PALETTE.get(4));
        int i = 0;
        for (Map.Entry<Severity, XYSeries> e : bySeverity.entrySet()) {
            data.addSeries(e.getValue());
            marks.setSeriesPaint(i, colours.get(e.getKey()));
            marks.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-5, -5, 10, 10));
            legend.put(e.getKey().name(), colours.get(e.getKey()));
            i++;
        }
        DateAxis time = new DateAxis("detected at (" + zone + ")");
        time.setTimeZone(java.util.TimeZone.getTimeZone(zone));
        time.setRange(new java.util.Date(month.atDay(1).atStartOfDay(zone).toInstant().toEpochMilli()),
                new java.util.Date(month.plusMonths(1).atDay(1).atStartOfDay(zone).toInstant().toEpochMilli()));
        SymbolAxis entities = new SymbolAxis(null, rows.toArray(String[]::new));
        entities.setGridBandsVisible(false);
        XYPlot plot = new XYPlot(data, time, entities, marks);
        style(plot);
        return new Chart(chart("Drift signals, " + month, plot), legend);
    }

    static String driftRow(DriftSignal d) {
        return d.getEntity() + " " + d.getMetric();
    }

    private static double dayOfMonth(java.time.LocalDateTime t, YearMonth month) {
        long seconds = java.time.Duration.between(month.atDay(1).atStartOfDay(), t).getSeconds();
        return seconds / 86_400.0;
    }

    private static Map<String, Color> colour(BarRenderer bars, List<?> seriesKeys) {
        bars.setBarPainter(new StandardBarPainter());
        bars.setShadowVisible(false);
        bars.setDrawBarOutline(false);
        Map<String, Color> legend = new LinkedHashMap<>();
        for (int i = 0; i < seriesKeys.size(); i++) {
            Color c = PALETTE.get(i % PALETTE.size());
            bars.setSeriesPaint(i, c);
            legend.put(String.valueOf(seriesKeys.get(i)), c);
        }
        return legend;
    }

    private static CategoryPlot categoryPlot(DefaultCategoryDataset data, String categoryLabel, String valueLabel,
                                             BarRenderer bars, PlotOrientation orientation) {
        CategoryAxis categories = new CategoryAxis(categoryLabel);
        categories.setCategoryMargin(0.15);
        if (orientation == PlotOrientation.VERTICAL) {
            categories.setCategoryLabelPositions(CategoryLabelPositions.UP_90);
        } else {
            categories.setMaximumCategoryLabelWidthRatio(0.4f);
        }
        NumberAxis values = valueLabel.contains("USD") ? dollarAxis(valueLabel) : new NumberAxis(valueLabel);
        CategoryPlot plot = new CategoryPlot(data, categories, values, bars);
        plot.setOrientation(orientation);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(GRID);
        plot.setOutlineVisible(false);
        return plot;
    }

    private static NumberAxis dollarAxis(String label) {
        NumberAxis dollars = new NumberAxis(label);
        NumberFormat format = NumberFormat.getCurrencyInstance(Locale.US);
        format.setMaximumFractionDigits(0);
        dollars.setNumberFormatOverride(format);
        dollars.setAutoRangeIncludesZero(true);
        return dollars;
    }

    private static void style(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        plot.setOutlineVisible(false);
    }

    private static JFreeChart chart(String title, org.jfree.chart.plot.Plot plot) {
        JFreeChart chart = new JFreeChart(title, TITLE, plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static String wholeDollars(double usd) {
        NumberFormat f = NumberFormat.getCurrencyInstance(Locale.US);
        f.setMaximumFractionDigits(0);
        return f.format(Math.round(usd));
    }
}
