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
        return wholeCharacters(g.getSVGElement(id, false, new ViewBox(0, 0, width, height), null, null));
    }

    /**
     * The chart's text with every unpaired surrogate replaced by U+FFFD. JFreeChart wraps a long axis label between
     * two UTF-16 units, which splits a letter outside the BMP (a valid name may hold them) into two halves that no
     * UTF-8 writer can encode: the page could not be written at all. Only the drawn, wrapped label is touched; the
     * tables print the name whole.
     */
    static String wholeCharacters(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean paired = Character.isHighSurrogate(c) ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                    : !Character.isLowSurrogate(c) || (i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
            if (!paired) {
                if (out == null) {
                    out = new StringBuilder(s.length()).append(s, 0, i);
                }
                out.append('\uFFFD');
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }
}
