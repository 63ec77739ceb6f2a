package costline.app.report;

import java.awt.Rectangle;
import org.jfree.chart.JFreeChart;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;

/** A chart drawn by JFreeSVG as an inline SVG element that scales to the page's width (vector: sharp in print). */
final class Svg {

    private Svg() {
    }

    static String of(JFreeChart chart, String id, int width, int height) {
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        chart.draw(g, new Rectangle(0, 0, width, height));
        // JFreeSVG escapes every string it draws (names reach the SVG as text, never as markup).
        return g.getSVGElement(id, false, new ViewBox(0, 0, width, height), null, null);
    }
}
