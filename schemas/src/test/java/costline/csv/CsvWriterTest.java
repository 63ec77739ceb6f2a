package costline.csv;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvWriterTest {

    @Test
    void textCellsThatASpreadsheetWouldEvaluateAreNeutralisedNumbersAreNot() {
        StringWriter out = new StringWriter();
        new CsvWriter(out).header(List.of("a", "b"))
                .text("=1+2").text("+cmd").endRow()
                .text("-2").text("@SUM(A1)").endRow()
                .text("\tx").text("plain - text").endRow()
                .number(new BigDecimal("-12.500")).number(-3L).endRow()
                .text(null).empty().endRow();
        assertThat(out.toString()).isEqualTo("a,b\r\n'=1+2,'+cmd\r\n'-2,'@SUM(A1)\r\n'\tx,plain - text\r\n-12.500,-3\r\n,\r\n");
    }

    @Test
    void commasQuotesAndLineBreaksAreQuotedAfterNeutralising() {
        StringWriter out = new StringWriter();
        new CsvWriter(out).text("=a,\"b\"\r\nc").text("x\ny").endRow();
        assertThat(out.toString()).isEqualTo("\"'=a,\"\"b\"\"\r\nc\",\"x\ny\"\r\n");
    }
}
