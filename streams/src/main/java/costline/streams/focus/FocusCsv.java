package costline.streams.focus;

import costline.csv.CsvWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a FOCUS dataset as CSV (UTF-8, RFC 4180, a header of column ids), gzip-compressed if asked, through the one
 * {@link CsvWriter}: a null is an empty cell (FOCUS NullHandling: CSV readers, the official validator among them,
 * read an empty cell as null), numbers are plain decimals, and no text can come out as a spreadsheet formula.
 */
public final class FocusCsv {

    private FocusCsv() {
    }

    public static void write(FocusExport.Result result, Writer out) {
        CsvWriter csv = new CsvWriter(out).header(FocusColumns.ALL);
        for (Map<String, Object> row : result.rows()) {
            for (String c : FocusColumns.ALL) {
                Object v = row.get(c);
                if (v instanceof BigDecimal d) {
                    csv.number(d);
                } else {
                    csv.text((String) v);
                }
            }
            csv.endRow();
        }
        csv.flush();
    }

    public static void write(FocusExport.Result result, OutputStream out, boolean gzip) {
        try {
            OutputStream target = gzip ? new GZIPOutputStream(out) : out;
            Writer w = new OutputStreamWriter(target, StandardCharsets.UTF_8);
            write(result, w);
            w.flush();
            if (target instanceof GZIPOutputStream g) {
                g.finish();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
