package costline.streams.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import costline.events.GpuSample;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.registry.SchemaRegistry;
import costline.schemas.serde.AvroSerializer;
import costline.streams.Samples;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Settings;
import costline.streams.cost.CostSettings;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sink writes a raw sample only when the cost topology's rules accept it; the rest carry the same reason. */
class PointDecoderTest {

    static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");
    final SchemaRegistry registry = SchemaRegistries.forUrl("mock://point-decoder");
    final PointDecoder decoder = new PointDecoder(registry, CostSettings.from(
            Settings.of(Map.of(KafkaSettings.REGISTRY_URL.key(), "mock://point-decoder"))), NOW::toEpochMilli);

    byte[] bytes(GpuSample s) {
        return new AvroSerializer<GpuSample>(registry).serialize(Topics.GPU_SAMPLES, s);
    }

    String refused(GpuSample s) {
        PointDecoder.Refused r = catchThrowableOfType(PointDecoder.Refused.class,
                () -> decoder.decode(Topics.GPU_SAMPLES, bytes(s)));
        assertThat(r).as("refused: " + s).isNotNull();
        return r.problem.reason().name();
    }

    @Test
    void onlyValidSamplesBecomePoints() {
        assertThat(decoder.decode(Topics.GPU_SAMPLES, bytes(Samples.cloud("i-1/0", NOW, 60_000, 50f).build())).hasFields()).isTrue();
        assertThat(refused(Samples.cloud("i-1/0", Instant.parse("2100-01-01T00:00:00Z"), 60_000, 50f).build())).isEqualTo("FUTURE_TIMESTAMP");
        assertThat(refused(Samples.cloud("i-1/0", Instant.parse("1970-01-01T00:00:00Z"), 60_000, 50f).build())).isEqualTo("PAST_TIMESTAMP");
        assertThat(refused(Samples.cloud("", NOW, 60_000, 50f).build())).isEqualTo("INVALID_NAME");
        assertThat(refused(Samples.cloud("i-1/0", NOW, 60_000, 50f).setHost("a\nb").build())).isEqualTo("INVALID_NAME");
        assertThat(refused(Samples.onPrem("GPU-1", NOW, 1_000, 50f, 1e9f, null).build())).isEqualTo("OUT_OF_RANGE");
        assertThat(refused(Samples.cloud("i-1/0", NOW, 60_000, 150f).build())).isEqualTo("OUT_OF_RANGE");
        assertThat(refused(Samples.cloud("i-1/0", NOW, 60_000, 50f).setWorkloads(Samples.shares("*fleet*", 1.0)).build()))
                .isEqualTo("INVALID_NAME");
    }
}
