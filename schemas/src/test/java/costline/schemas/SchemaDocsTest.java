package costline.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every field says what it means and in which unit; optional readings are null unions with a null default. */
class SchemaDocsTest {

    static java.util.stream.Stream<Class<? extends SpecificRecord>> events() {
        return Events.ALL.stream();
    }

    @ParameterizedTest
    @MethodSource("events")
    void everyFieldHasADocAndNullableFieldsDefaultToNull(Class<? extends SpecificRecord> type) {
        check(Events.schemaOf(type));
    }

    private static void check(Schema record) {
        for (Schema.Field field : record.getFields()) {
            assertThat(field.doc()).as("doc of %s.%s", record.getName(), field.name()).isNotBlank();
            Schema schema = field.schema();
            if (schema.isUnion() && schema.getTypes().get(0).getType() == Schema.Type.NULL) {
                assertThat(field.hasDefaultValue()).as("%s.%s defaults to null", record.getName(), field.name()).isTrue();
            }
            for (Schema nested : schema.isUnion() ? schema.getTypes() : java.util.List.of(schema)) {
                if (nested.getType() == Schema.Type.RECORD) {
                    check(nested);
                } else if (nested.getType() == Schema.Type.ARRAY && nested.getElementType().getType() == Schema.Type.RECORD) {
                    check(nested.getElementType());
                }
            }
        }
    }
}
