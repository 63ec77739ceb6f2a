package costline.streams.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.InfluxDBClientOptions;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import costline.embedded.EmbeddedQuestDb;
import costline.pricing.CostModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our line-protocol writer against the InfluxDB client's {@code Point}, which the sink used before: the same bytes for
 * the same point, on names with every character the protocol escapes (and some it does not), unicode, and numbers at
 * the edges of what a double prints; and the lines read back from a real store (QuestDB's InfluxDB write API).
 */
class LinePointTest {

    static final List<String> AWKWARD = List.of("plain", "with space", "comma,inside", "equals=sign", "quote\"d",
            "back\\slash", "tab\there", "line\nfeed", "carriage\rreturn", "ümlaut & 推理", "emoji \uD83D\uDE80", " lead",
            "trail ", "a=b,c d", "=", ",", " ", "x".repeat(300));

    static final double[] DOUBLES = {0.0, -0.0, 1.0, -1.0, 0.5, 100.0, 87.5, 612.5, 0.1, 0.2 + 0.1, 1e-3, 9.999e-4, 1e-7,
            1.5e-7, -2.5e-12, 1e7, 9999999.5, 1.0e15, 1.2345678901234567e19, 1e20, -1e22, 1.7976931348623157e308,
            4.9e-324, Double.MIN_NORMAL, 123456.789, 2.0 / 3.0, Math.PI, 9_007_199_254_740_993.0, 68.271, 0.000001,
            Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};

    static final long[] LONGS = {0, 1, -1, 42, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MAX_VALUE, -1_000_000_000_000L};

    @Test
    void theSameBytesAsTheClientsPointOnAwkwardNames() {
        int i = 0;
        for (String name : AWKWARD) {
            long t = 1_764_000_000_000_000L + i++;
            Point theirs = Point.measurement("m " + name).addTag("tag " + name, name).addTag("a", "first")
                    .addField("f " + name, name).addField("n", 42L).addField("b", true).addField("d", -1.5)
                    .time(t, WritePrecision.US);
            LinePoint ours = LinePoint.measurement("m " + name).addTag("tag " + name, name).addTag("a", "first")
                    .addField("f " + name, name).addField("n", 42L).addField("b", true).addField("d", -1.5).time(t);
            assertThat(ours.toLineProtocol()).as(name).isEqualTo(theirs.toLineProtocol());
        }
    }

    @Test
    void theSameBytesAsTheClientsPointOnNumbers() {
        for (double d : DOUBLES) {
            Point theirs = Point.measurement("m").addTag("t", "v").addField("x", d).addField("y", 1L).time(7L, WritePrecision.US);
            LinePoint ours = LinePoint.measurement("m").addTag("t", "v").addField("x", d).addField("y", 1L).time(7L);
            assertThat(ours.toLineProtocol()).as("%s", d).isEqualTo(theirs.toLineProtocol());
        }
        for (long l : LONGS) {
            assertThat(LinePoint.measurement("m").addField("x", l).time(1).toLineProtocol())
                    .isEqualTo(Point.measurement("m").addField("x", l).time(1L, WritePrecision.US).toLineProtocol());
        }
        // random doubles over the whole range of exponents, and random money amounts as the sink converts them
        SplittableRandom random = new SplittableRandom(14);
        for (int n = 0; n < 20_000; n++) {
            double d = Double.longBitsToDouble(random.nextLong());
            double money = InfluxPoints.dollars(random.nextLong(-10_000_000_000_000L, 10_000_000_000_000L));
            for (double v : new double[] {d, money, random.nextDouble() * 1000}) {
                assertThat(LinePoint.measurement("m").addField("x", v).time(1).toLineProtocol()).as("%s", v)
                        .isEqualTo(Point.measurement("m").addField("x", v).time(1L, WritePrecision.US).toLineProtocol());
            }
        }
    }

    @Test
    void tagsAndFieldsInKeyOrderEmptyTagsAndUndefinedFieldsLeftOut() {
        LinePoint p = LinePoint.measurement("m").addTag("z", "1").addTag("b", "").addTag("a", null).addTag("c", "3")
                .addField("y", Double.NaN).addField("x", "s").addField("w", 2L).addField("w", 3L).time(5);
        Point theirs = Point.measurement("m").addTag("z", "1").addTag("b", "").addTag("a", null).addTag("c", "3")
                .addField("y", Double.NaN).addField("x", "s").addField("w", 2L).addField("w", 3L).time(5L, WritePrecision.US);
        assertThat(p.toLineProtocol()).isEqualTo("m,c=3,z=1 w=3i,x=\"s\" 5").isEqualTo(theirs.toLineProtocol());

        LinePoint none = LinePoint.measurement("m").addTag("t", "v").addField("x", Double.POSITIVE_INFINITY).time(5);
        assertThat(none.hasFields()).isFalse();
        assertThat(none.toLineProtocol()).isEmpty();
        StringBuilder sb = new StringBuilder("kept");
        assertThat(none.appendTo(sb)).isFalse();
        assertThat(sb).hasToString("kept");
    }

    @Test
    void dollarsAreTheDoubleNearestToTheMicroDollarAmount() {
        SplittableRandom random = new SplittableRandom(6);
        long[] edges = {0, 1, -1, 999_999, 1_000_000, 68_271, (1L << 53) - 1, -(1L << 53) + 1, 1L << 53, -(1L << 53),
                (1L << 53) + 1, Long.MAX_VALUE, Long.MIN_VALUE};
        for (long m : edges) {
            assertThat(InfluxPoints.dollars(m)).as("%d", m).isEqualTo(CostModel.toDollars(m).doubleValue());
        }
        for (int n = 0; n < 100_000; n++) {
            long m = n % 2 == 0 ? random.nextLong() : random.nextLong(-100_000_000_000L, 100_000_000_000L);
            assertThat(InfluxPoints.dollars(m)).as("%d", m).isEqualTo(CostModel.toDollars(m).doubleValue());
        }
    }

    @Test
    void linesReadBackFromTheStore(@TempDir Path dir) throws Exception {
        // QuestDB refuses control characters in names and escapes nothing else the way InfluxDB's parser does for
        // backslashes: the names here are the ones the pipeline can carry (Names refuses backslashes, quotes, commas)
        // plus the escapes a drift entity or price key could need (space, comma, equals sign) and a quote in a string.
        List<String> names = List.of("with space", "comma,inside", "equals=sign", "ümlaut 推理", "a=b,c d");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            lines.add(LinePoint.measurement("gpu_reconcile").addTag("month", "2026-10").addTag("instance_id", names.get(i))
                    .addField("billed_usd", -1.5e-7 * (i + 1)).addField("estimated_usd", 1e20).addField("difference_usd", 0.1 + 0.2)
                    .addField("alert", i % 2 == 0).addField("causes", "say \"" + names.get(i) + "\"")
                    .time(1_759_276_800_000_000L + i).toLineProtocol());
        }
        try (EmbeddedQuestDb db = EmbeddedQuestDb.start(dir)) {
            QuestDbTables.ddl().forEach(db::sql);
            try (InfluxDBClient client = InfluxDBClientFactory.create(InfluxDBClientOptions.builder()
                    .url(db.url()).authenticateToken("unused".toCharArray()).org("o").bucket("b").build())) {
                client.getWriteApiBlocking().writeRecord(InfluxPoints.PRECISION, String.join("\n", lines));
            }
            db.awaitRows("gpu_reconcile", "select count() from gpu_reconcile", names.size(), Duration.ofSeconds(30));
            JsonNode rows = db.sql("select instance_id, billed_usd, estimated_usd, difference_usd, alert, causes"
                    + " from gpu_reconcile order by timestamp").path("dataset");
            for (int i = 0; i < names.size(); i++) {
                JsonNode row = rows.get(i);
                assertThat(row.get(0).asText()).isEqualTo(names.get(i));
                assertThat(row.get(1).asDouble()).isEqualTo(-1.5e-7 * (i + 1));
                assertThat(row.get(2).asDouble()).isEqualTo(1e20);
                assertThat(row.get(3).asDouble()).isEqualTo(0.1 + 0.2);
                assertThat(row.get(4).asBoolean()).isEqualTo(i % 2 == 0);
                assertThat(row.get(5).asText()).isEqualTo("say \"" + names.get(i) + "\"");
            }
        }
    }
}
