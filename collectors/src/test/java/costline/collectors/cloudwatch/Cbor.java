package costline.collectors.cloudwatch;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CBOR as Smithy RPC v2 uses it, for the test endpoint: maps, lists, text, numbers, and timestamps as tag 1
 * (epoch seconds). Decoding keeps the tag: a tag-1 number becomes an {@link Instant}, so tests can assert
 * that the SDK sent a real timestamp and not a bare number.
 */
final class Cbor {

    private static final CBORFactory FACTORY = new CBORFactory();

    private Cbor() {
    }

    static Object decode(byte[] bytes) {
        try (CBORParser p = FACTORY.createParser(bytes)) {
            p.nextToken();
            return read(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object read(CBORParser p) throws IOException {
        JsonToken t = p.currentToken();
        int tag = p.getCurrentTag();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    m.put(name, read(p));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(read(p));
                }
                return l;
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                if (tag == 1) {
                    return Instant.ofEpochMilli(Math.round(p.getDoubleValue() * 1000));
                }
                return t == JsonToken.VALUE_NUMBER_INT ? (Object) p.getLongValue() : (Object) p.getDoubleValue();
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_TRUE -> {
                return true;
            }
            case VALUE_FALSE -> {
                return false;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new IllegalStateException("unexpected CBOR token " + t);
        }
    }

    static byte[] encode(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CBORGenerator g = FACTORY.createGenerator(out)) {
            write(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @SuppressWarnings("unchecked")
    private static void write(CBORGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (var e : ((Map<String, Object>) m).entrySet()) {
                g.writeFieldName(e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof List<?> l) {
            g.writeStartArray();
            for (Object o : l) {
                write(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof Instant i) {
            g.writeTag(1);
            g.writeNumber(i.toEpochMilli() / 1000.0);
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Double d) {
            g.writeNumber(d);
        } else if (v instanceof Integer i) {
            g.writeNumber(i);
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else {
            throw new IllegalArgumentException("cannot encode " + v.getClass());
        }
    }
}
