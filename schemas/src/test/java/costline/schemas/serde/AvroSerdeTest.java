package costline.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import costline.events.GpuSample;
import costline.schemas.SampleEvents;
import costline.schemas.registry.InMemorySchemaRegistry;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

    private InMemorySchemaRegistry registry;
    private AvroSerializer<GpuSample> serializer;
    private AvroDeserializer<GpuSample> deserializer;

    @BeforeEach
    void setUp() {
        registry = new InMemorySchemaRegistry();
        serializer = new AvroSerializer<>(registry);
        deserializer = new AvroDeserializer<>(registry, GpuSample.class);
    }

    @Test
    void roundTripsSamplesWithValuesAndNulls() {
        for (GpuSample sample : new GpuSample[] {SampleEvents.onPremSample(3), SampleEvents.cloudSample()}) {
            byte[] bytes = serializer.serialize("gpu.samples", sample);
            assertThat(deserializer.deserialize("gpu.samples", bytes)).isEqualTo(sample);
        }
        assertThat(SampleEvents.cloudSample().getUtilGpuPct()).isNull();
    }

    @Test
    void registersUnderTopicValueSubject() {
        serializer.serialize("gpu.samples", SampleEvents.onPremSample(0));
        assertThat(registry.subjects()).containsExactly("gpu.samples-value");
    }

    @Test
    void configuredByClassNameFindsTheGeneratedClassFromTheWriterSchema() {
        AvroSerializer<GpuSample> byName = new AvroSerializer<>();
        byName.configure(Map.of(SerdeConfig.REGISTRY_URL, "mock://by-name"), false);
        AvroDeserializer<Object> reader = new AvroDeserializer<>();
        reader.configure(Map.of(SerdeConfig.REGISTRY_URL, "mock://by-name"), false);
        Object read = reader.deserialize("t", byName.serialize("t", SampleEvents.onPremSample(1)));
        assertThat(read).isInstanceOf(GpuSample.class).isEqualTo(SampleEvents.onPremSample(1));
        InMemorySchemaRegistry.dropScope("by-name");
    }

    @Test
    void olderWriterSchemaResolvesIntoTheCurrentClass() {
        // A producer still on an older GpuSample that lacked most optional fields.
        Schema old = SchemaBuilder.record("GpuSample").namespace("costline.events").fields()
                .name("sample_time").type().longType().noDefault()
                .name("interval_ms").type().longType().noDefault()
                .name("source").type().enumeration("Source").symbols("NVML", "CLOUDWATCH", "SIMULATED").noDefault()
                .name("site").type().enumeration("Site").symbols("ONPREM", "CLOUD").noDefault()
                .name("host").type().stringType().noDefault()
                .name("gpu_id").type().stringType().noDefault()
                .name("gpu_index").type().intType().noDefault()
                .name("gpu_model").type().stringType().noDefault()
                .endRecord();
        GenericRecord record = new GenericData.Record(old);
        record.put("sample_time", 5000L);
        record.put("interval_ms", 1000L);
        record.put("source", new GenericData.EnumSymbol(old.getField("source").schema(), "NVML"));
        record.put("site", new GenericData.EnumSymbol(old.getField("site").schema(), "ONPREM"));
        record.put("host", "h");
        record.put("gpu_id", "GPU-1");
        record.put("gpu_index", 0);
        record.put("gpu_model", "m");
        byte[] bytes = new AvroSerializer<GenericRecord>(registry).serialize("gpu.samples", record);

        GpuSample read = deserializer.deserialize("gpu.samples", bytes);
        assertThat(read.getGpuId()).isEqualTo("GPU-1");
        assertThat(read.getPowerW()).isNull();
        assertThat(read.getWorkloads()).isEmpty();
    }

    @Test
    void badMagicByteIsTyped() {
        byte[] bytes = serializer.serialize("gpu.samples", SampleEvents.onPremSample(0));
        bytes[0] = 1;
        assertFailure(bytes, DecodeFailure.BAD_MAGIC_BYTE);
        assertFailure(new byte[0], DecodeFailure.BAD_MAGIC_BYTE);
        assertFailure("{\"json\":true}".getBytes(), DecodeFailure.BAD_MAGIC_BYTE);
    }

    @Test
    void unknownSchemaIdIsTyped() {
        byte[] bytes = serializer.serialize("gpu.samples", SampleEvents.onPremSample(0));
        bytes[4] = 99;
        assertThatThrownBy(() -> deserializer.deserialize("gpu.samples", bytes))
                .isInstanceOfSatisfying(WireFormatException.class, e -> {
                    assertThat(e.failure()).isEqualTo(DecodeFailure.UNKNOWN_SCHEMA_ID);
                    assertThat(e.schemaId()).isEqualTo(99);
                    assertThat(e.retriable()).isFalse();
                });
    }

    @Test
    void truncatedOrPaddedBodyIsCorrupt() {
        byte[] bytes = serializer.serialize("gpu.samples", SampleEvents.onPremSample(0));
        assertFailure(Arrays.copyOf(bytes, bytes.length - 7), DecodeFailure.CORRUPT_BODY);
        assertFailure(Arrays.copyOf(bytes, 3), DecodeFailure.CORRUPT_BODY);
        assertFailure(Arrays.copyOf(bytes, bytes.length + 2), DecodeFailure.CORRUPT_BODY);
    }

    @Test
    void randomBodiesUnderAValidHeaderNeverEscapeAsAnythingButCorruptBody() {
        byte[] header = Arrays.copyOf(serializer.serialize("gpu.samples", SampleEvents.onPremSample(0)), 5);
        java.util.Random random = new java.util.Random(7);
        int corrupt = 0;
        for (int i = 0; i < 2000; i++) {
            byte[] body = new byte[random.nextInt(200)];
            random.nextBytes(body);
            byte[] bytes = new byte[5 + body.length];
            System.arraycopy(header, 0, bytes, 0, 5);
            System.arraycopy(body, 0, bytes, 5, body.length);
            try {
                deserializer.deserialize("gpu.samples", bytes);
            } catch (WireFormatException e) {
                assertThat(e.failure()).isEqualTo(DecodeFailure.CORRUPT_BODY);
                corrupt++;
            }
        }
        assertThat(corrupt).isGreaterThan(1900);
    }

    private void assertFailure(byte[] bytes, DecodeFailure expected) {
        assertThatThrownBy(() -> deserializer.deserialize("gpu.samples", bytes))
                .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.failure()).isEqualTo(expected));
    }
}
