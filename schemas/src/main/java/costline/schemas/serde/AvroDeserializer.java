package costline.schemas.serde;

import costline.schemas.registry.RegistryUnavailableException;
import costline.schemas.registry.SchemaNotFoundException;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.registry.SchemaRegistry;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-framed Avro values. The writer's schema comes from the registry by the id in the header; the
 * reader's schema is the generated class's (given, or found by the writer schema's full name), so old records
 * resolve into the current class. Failures are {@link WireFormatException}s with a {@link DecodeFailure}.
 */
public class AvroDeserializer<T> implements Deserializer<T> {

    private SchemaRegistry registry;
    private final Class<? extends SpecificRecord> targetType;
    private final Map<Integer, DatumReader<Object>> readers = new ConcurrentHashMap<>();
    private final ThreadLocal<BinaryDecoder> decoders = new ThreadLocal<>();

    /** For configuration by class name: the reader class is looked up from the writer schema's name. */
    public AvroDeserializer() {
        this.targetType = null;
    }

    public AvroDeserializer(SchemaRegistry registry, Class<? extends SpecificRecord> targetType) {
        this.registry = registry;
        this.targetType = targetType;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.registry = SchemaRegistries.forUrl(SerdeConfig.from(configs).registryUrl());
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException("AvroDeserializer is not configured: set " + SerdeConfig.REGISTRY_URL);
        }
        int id = ConfluentWireFormat.schemaId(data);
        DatumReader<Object> reader = readers.computeIfAbsent(id, this::readerFor);
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, ConfluentWireFormat.HEADER_SIZE,
                data.length - ConfluentWireFormat.HEADER_SIZE, decoders.get());
        decoders.set(decoder);
        try {
            Object value = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new WireFormatException(DecodeFailure.CORRUPT_BODY, id,
                        "bytes left over after the record in topic " + topic, null);
            }
            return (T) value;
        } catch (WireFormatException e) {
            throw e;
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            // Random bytes under a valid header fail in many ways inside Avro (EOF, bad union index,
            // negative or huge lengths): all mean the body does not match its writer schema.
            throw new WireFormatException(DecodeFailure.CORRUPT_BODY, id,
                    "body does not decode under schema " + id + " in topic " + topic + ": " + e, e);
        }
    }

    private DatumReader<Object> readerFor(int id) {
        Schema writer;
        try {
            writer = registry.byId(id);
        } catch (SchemaNotFoundException e) {
            throw new WireFormatException(DecodeFailure.UNKNOWN_SCHEMA_ID, id, e.getMessage(), e);
        } catch (RegistryUnavailableException e) {
            throw new WireFormatException(DecodeFailure.REGISTRY_UNAVAILABLE, id, e.getMessage(), e);
        }
        Class<?> type = targetType != null ? targetType : SpecificData.get().getClass(writer);
        if (type == null) {
            return new GenericDatumReader<>(writer);
        }
        Schema readerSchema = SpecificData.get().getSchema(type);
        return new SpecificDatumReader<>(writer, readerSchema);
    }
}
