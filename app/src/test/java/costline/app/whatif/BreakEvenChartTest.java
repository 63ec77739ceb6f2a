package costline.app.whatif;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import costline.pricing.CostModel;
import costline.streams.breakeven.BreakEvenCalculator;
import costline.streams.breakeven.BreakEvenResult;
import costline.streams.breakeven.DemandCurve;
import costline.streams.breakeven.OwnershipCost;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.Marker;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.Layer;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.Test;

class BreakEvenChartTest {

    static final OwnershipCost SERVER = new OwnershipCost(CostModel.microUsd("20000"),
            CostModel.onPremFixedMonthlyMicroUsd(costline.events.OnPremPrice.newBuilder()
                    .setCapexPerGpuMicroUsd(CostModel.microUsd("20000")).setAmortizationMonths(36)
                    .setYearlyOpsPerGpuMicroUsd(CostModel.microUsd("2500")).setPue(1).setEnergyMicroUsdPerKwh(0).build()),
            CostModel.microUsd("2500") / 12, 0);

    static BreakEvenResult hybrid() {
        int[] minutes = new int[1440];
        for (int i = 0; i < minutes.length; i++) {
            minutes[i] = i < 300 ? 10 : 6;
        }
        return BreakEvenCalculator.compute(DemandCurve.ofGpus(60_000, minutes), 4_000_000, SERVER);
    }

    @Test
    void threeCumulativeLinesOverTheHorizonAndAMarkerAtEachCrossing() {
        BreakEvenResult r = hybrid();
        JFreeChart chart = BreakEvenChart.build(r, 36);
        XYPlot plot = chart.getXYPlot();
        XYDataset data = plot.getDataset();
        assertThat(data.getSeriesCount()).isEqualTo(3);
        assertThat(data.getItemCount(0)).isEqualTo(37);
        // month 0: cloud only has spent nothing, buy has paid for the peak, hybrid for N*
        assertThat(data.getYValue(0, 0)).isZero();
        assertThat(data.getYValue(1, 0)).isEqualTo(r.buy().capexMicroUsd() / 1e6);
        assertThat(data.getYValue(2, 0)).isEqualTo(r.hybrid().capexMicroUsd() / 1e6);
        assertThat(data.getYValue(0, 36)).isCloseTo(36 * r.cloudOnly().cloudMonthlyMicroUsd() / 1e6, within(0.01));

        @SuppressWarnings("unchecked")
        java.util.List<ValueMarker> markers = new java.util.ArrayList<>(
                (java.util.Collection<ValueMarker>) plot.getDomainMarkers(Layer.FOREGROUND));
        assertThat(markers).hasSize(2);
        assertThat(markers).extracting(ValueMarker::getValue)
                .containsExactlyInAnyOrder(r.buy().breakEvenMonths(), r.hybrid().breakEvenMonths());
        assertThat(markers).extracting(Marker::getLabel).anySatisfy(l -> assertThat(l).startsWith("hybrid pays off"));
        assertThat(chart.getTitle().getText()).contains("HYBRID").contains("N* = 6");
    }

    @Test
    void rendersAPngOfTheAskedSize() throws Exception {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        BreakEvenChart.writePng(hybrid(), 24, 640, 480, png);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png.toByteArray()));
        assertThat(image.getWidth()).isEqualTo(640);
        assertThat(image.getHeight()).isEqualTo(480);
        // not a blank canvas: the white background and at least the three line colours are there
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int x = 0; x < image.getWidth(); x += 2) {
            for (int y = 0; y < image.getHeight(); y += 2) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertThat(colours).contains(0xFFFFFFFF, 0xFFD95F02, 0xFF1B9E77, 0xFF7570B3);
    }
}
