package costline.csv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The one CSV writer of costline: RFC 4180 (CRLF line ends; a cell holding a comma, quote or line break is quoted,
 * its quotes doubled), and no cell a spreadsheet would run as a formula.
 *
 * <p>Cells are typed. A text cell (names, tags, ids: anything that may come from outside) that starts with
 * {@code =}, {@code +}, {@code -}, {@code @}, a tab or a carriage return is neutralised by a leading apostrophe
 * (OWASP's rule for CSV injection), so {@code =HYPERLINK(...)} reaches the sheet as the text it is. A number cell
 * takes a {@link BigDecimal} (or long) and writes it plain, so a negative figure stays a number: numbers never come
 * from outside text. A null cell is written empty.
 */
public final class CsvWriter {

    private final Writer out;
    private final List<String> row = new ArrayList<>();

    public CsvWriter(Writer out) {
        this.out = out;
    }

    /** Writes a header (text cells) and ends the row. */
    public CsvWriter header(List<String> names) {
        names.forEach(this::text);
        return endRow();
    }

    public CsvWriter text(String value) {
        row.add(value == null ? "" : quote(neutralise(value)));
        return this;
    }

    public CsvWriter number(BigDecimal value) {
        row.add(value == null ? "" : value.toPlainString());
        return this;
    }

    public CsvWriter number(Long value) {
        row.add(value == null ? "" : value.toString());
        return this;
    }

    /** An empty cell (a null). */
    public CsvWriter empty() {
        row.add("");
        return this;
    }

    public CsvWriter endRow() {
        try {
            out.write(String.join(",", row));
            out.write("\r\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            row.clear();
        }
        return this;
    }

    public void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A leading apostrophe before a cell a spreadsheet would evaluate; other text is left exactly as it is. */
    public static String neutralise(String s) {
        if (!s.isEmpty()) {
            char c = s.charAt(0);
            if (c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r') {
                return "'" + s;
            }
        }
        return s;
    }

    /** RFC 4180: quote a cell holding a comma, quote or line break; double its quotes. */
    public static String quote(String s) {
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }
}
