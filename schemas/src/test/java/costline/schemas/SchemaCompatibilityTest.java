package costline.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guards schema evolution. Each event's current schema must read data written under every released version
 * (BACKWARD, transitively), and the latest released version must read data written under the current schema
 * (FORWARD), so consumers and producers can be upgraded in either order. A change is released with
 * {@link ReleasedSchemas#main}.
 */
class SchemaCompatibilityTest {

    static final Path RELEASED = Path.of("released");

    static Stream<Class<? extends SpecificRecord>> events() {
        return Events.ALL.stream();
    }

    @ParameterizedTest
    @MethodSource("events")
    void currentSchemaIsCompatibleWithEveryReleasedVersion(Class<? extends SpecificRecord> type) throws Exception {
        Schema current = Events.schemaOf(type);
        List<ReleasedSchemas.Released> released = ReleasedSchemas.of(RELEASED, type.getSimpleName());
        assertThat(released).as("released versions of %s in schemas/released", type.getSimpleName()).isNotEmpty();

        for (ReleasedSchemas.Released old : released) {
            assertCompatible(current, old.schema(), "current " + type.getSimpleName() + " reading data written by " + old.file());
        }
        ReleasedSchemas.Released latest = released.get(released.size() - 1);
        assertCompatible(latest.schema(), current, latest.file() + " reading data written by the current schema");
    }

    static void assertCompatible(Schema reader, Schema writer, String what) {
        var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        assertThat(result.getType())
                .as("%s: %s", what, result.getResult().getIncompatibilities().stream()
                        .map(i -> i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")")
                        .toList())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }
}
