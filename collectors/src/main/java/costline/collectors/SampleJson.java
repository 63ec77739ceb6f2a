package costline.collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.IndexedRecord;

/**
 * Writes an Avro record as one line of plain JSON for people and scripts (`--once --json`): field names as in
 * the schema, nulls as null, unions unwrapped (unlike Avro's JSON encoding), timestamps as epoch milliseconds.
 */
public final class SampleJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SampleJson() {
    }

    public static String write(IndexedRecord record) {
        try {
            return MAPPER.writeValueAsString(toPlain(record));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + record.getSchema().getFullName() + " as JSON", e);
        }
    }

    static Object toPlain(Object value) {
        if (value instanceof IndexedRecord record) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Schema.Field field : record.getSchema().getFields()) {
                out.put(field.name(), toPlain(record.get(field.pos())));
            }
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(item -> out.add(toPlain(item)));
            return out;
        }
        if (value instanceof Instant instant) {
            return instant.toEpochMilli();
        }
        if (value instanceof Enum<?> || value instanceof GenericEnumSymbol<?> || value instanceof CharSequence) {
            return value.toString();
        }
        return value;
    }
}
