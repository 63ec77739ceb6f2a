package costline.app.whatif;

import costline.streams.breakeven.BreakEvenResult;
import costline.streams.breakeven.Plan;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.OutputStream;
import java.text.NumberFormat;
import java.util.Locale;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYPointerAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Cumulative cash spent over the horizon for cloud only, buying the peak, and hybrid N*, with the month where each
 * purchase overtakes the cloud marked. Cash view: the purchase is paid in month 0, then each month costs the
 * remaining cloud spend plus operations and electricity.
 */
public final class BreakEvenChart {

    private BreakEvenChart() {
    }

    public static JFreeChart build(BreakEvenResult r, int horizonMonths) {
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(series("cloud only", r.cloudOnly(), horizonMonths));
        data.addSeries(series("buy the peak (" + r.buy().owned() + " GPUs)", r.buy(), horizonMonths));
        data.addSeries(series("hybrid: own N* = " + r.hybrid().owned() + ", rent the rest", r.hybrid(), horizonMonths));

        NumberAxis months = new NumberAxis("months from purchase");
        months.setRange(0, horizonMonths);
        months.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        NumberAxis dollars = new NumberAxis("cumulative cost (USD)");
        NumberFormat wholeDollars = NumberFormat.getCurrencyInstance(Locale.US);
        wholeDollars.setMaximumFractionDigits(0);
        dollars.setNumberFormatOverride(wholeDollars);
        dollars.setAutoRangeIncludesZero(true);

        XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, false);
        lines.setSeriesPaint(0, new Color(0xD9, 0x5F, 0x02));
        lines.setSeriesPaint(1, new Color(0x1B, 0x9E, 0x77));
        lines.setSeriesPaint(2, new Color(0x75, 0x70, 0xB3));
        lines.setSeriesStroke(0, new BasicStroke(2.5f));
        lines.setSeriesStroke(1, new BasicStroke(2.5f));
        // dashed, so it stays visible where it lies on top of cloud only or buy
        lines.setSeriesStroke(2, new BasicStroke(2.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 6f}, 0f));

        XYPlot plot = new XYPlot(data, months, dollars, lines);
        // series drawn in order, so the dashed hybrid line stays on top where it equals buy or cloud only
        plot.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        mark(plot, "buy pays off", r.buy(), horizonMonths, new Color(0x1B, 0x9E, 0x77), 0.92);
        if (r.hybrid().owned() != r.buy().owned()) {
            mark(plot, "hybrid pays off", r.hybrid(), horizonMonths, new Color(0x75, 0x70, 0xB3), 0.80);
        }

        String title = String.format(Locale.US, "Break-even: %s, N* = %d of peak %d GPUs", r.recommendation(),
                r.optimalOwned(), r.peakGpus());
        JFreeChart chart = new JFreeChart(title, new Font("SansSerif", Font.BOLD, 16), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    public static void writePng(BreakEvenResult r, int horizonMonths, int width, int height, OutputStream out) throws IOException {
        ChartUtils.writeChartAsPNG(out, build(r, horizonMonths), width, height);
    }

    private static XYSeries series(String name, Plan plan, int horizon) {
        XYSeries s = new XYSeries(name, false, true);
        for (int m = 0; m <= horizon; m++) {
            s.add(m, plan.cumulativeMicroUsd(m) / 1e6);
        }
        return s;
    }

    /** A vertical line at the month the plan's cumulative cost falls below cloud only, and a pointer at the crossing. */
    private static void mark(XYPlot plot, String label, Plan plan, int horizon, Color color, double labelHeight) {
        Double crossing = plan.breakEvenMonths();
        if (crossing == null || crossing > horizon) {
            return;
        }
        ValueMarker marker = new ValueMarker(crossing, color, new BasicStroke(1.5f, BasicStroke.CAP_BUTT,
                BasicStroke.JOIN_MITER, 10f, new float[] {3f, 3f}, 0f));
        marker.setLabel(String.format(Locale.US, "%s: %.1f months", label, crossing));
        marker.setLabelFont(new Font("SansSerif", Font.PLAIN, 12));
        marker.setLabelPaint(color.darker());
        marker.setLabelAnchor(labelHeight > 0.85 ? RectangleAnchor.TOP_RIGHT : RectangleAnchor.RIGHT);
        marker.setLabelTextAnchor(TextAnchor.TOP_LEFT);
        plot.addDomainMarker(marker);
        double y = plan.cumulativeMicroUsd(crossing) / 1e6;
        NumberFormat wholeDollars = NumberFormat.getCurrencyInstance(Locale.US);
        wholeDollars.setMaximumFractionDigits(0);
        XYPointerAnnotation point = new XYPointerAnnotation(wholeDollars.format(Math.round(y)), crossing, y, -Math.PI / 4);
        point.setPaint(color.darker());
        point.setArrowPaint(color.darker());
        point.setFont(new Font("SansSerif", Font.PLAIN, 11));
        point.setTextAnchor(TextAnchor.BOTTOM_LEFT);
        plot.addAnnotation(point);
    }
}
