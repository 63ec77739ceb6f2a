package costline.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.AlertState;
import costline.events.SpendAlert;
import costline.schemas.registry.SchemaRegistry;
import java.time.Instant;
import java.util.HexFormat;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** Pins the exact bytes Confluent's KafkaAvroSerializer writes for a known record under a known schema id. */
class WireFormatBytesTest {

    /** A registry that has given the schema id 42, as a real registry might. */
    private static final SchemaRegistry ID_42 = new SchemaRegistry() {
        @Override
        public int register(String subject, Schema schema) {
            return 42;
        }

        @Override
        public Schema byId(int id) {
            if (id != 42) {
                throw new costline.schemas.registry.SchemaNotFoundException(id);
            }
            return SpendAlert.getClassSchema();
        }
    };

    private static final SpendAlert ALERT = SpendAlert.newBuilder()
            .setWorkload("w")
            .setMonth("2026-10")
            .setState(AlertState.FIRING)
            .setAt(Instant.ofEpochMilli(1000))
            .setCloudMtdMicroUsd(100)
            .setOnpremLineMicroUsd(50)
            .setProjectedCrossDay(null)
            .setProjectedMonthMicroUsd(null)
            .build();

    // Worked out by hand from the Confluent framing and the Avro binary spec (zig-zag varints):
    //   00 0000002a            magic byte, schema id 42 big-endian
    //   02 77                  "w": length 1 -> zig-zag 2, then 'w'
    //   0e 323032362d3130      "2026-10": length 7 -> 14
    //   02                     enum FIRING, index 1 -> 2
    //   d00f                   at = 1000 ms -> zig-zag 2000 -> varint d0 0f
    //   c801                   100 -> 200 -> c8 01
    //   64                     50 -> 100
    //   00 00                  two null unions, branch 0
    private static final String EXPECTED = "000000002a" + "0277" + "0e323032362d3130" + "02" + "d00f" + "c801" + "64" + "0000";

    @Test
    void writesTheBytesConfluentWrites() {
        byte[] bytes = new AvroSerializer<SpendAlert>(ID_42).serialize("gpu.alerts", ALERT);
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(EXPECTED);
    }

    @Test
    void readsTheBytesConfluentWrites() {
        SpendAlert read = new AvroDeserializer<SpendAlert>(ID_42, SpendAlert.class)
                .deserialize("gpu.alerts", HexFormat.of().parseHex(EXPECTED));
        assertThat(read).isEqualTo(ALERT);
    }
}
