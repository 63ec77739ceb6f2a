package costline.schemas.serde;

import costline.schemas.registry.SchemaRegistries;
import costline.schemas.registry.SchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records in the Confluent wire format (magic byte 0, 4-byte big-endian schema id, Avro binary),
 * registering the schema under {@code <topic>-value} (or {@code -key}) like Confluent's TopicNameStrategy.
 * The bytes are the same as Confluent's KafkaAvroSerializer writes, so either can be configured by class name.
 */
public class AvroSerializer<T extends GenericContainer> implements Serializer<T> {

    private SchemaRegistry registry;
    private boolean autoRegister = true;
    private boolean isKey;
    private final Map<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
    private final ThreadLocal<BinaryEncoder> encoders = new ThreadLocal<>();

    public AvroSerializer() {
    }

    /** A ready serializer, for code that builds serdes directly (Streams, tests). */
    public AvroSerializer(SchemaRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        SerdeConfig config = SerdeConfig.from(configs);
        this.registry = SchemaRegistries.forUrl(config.registryUrl());
        this.autoRegister = config.autoRegister();
        this.isKey = isKey;
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException("AvroSerializer is not configured: set " + SerdeConfig.REGISTRY_URL);
        }
        Schema schema = record.getSchema();
        int id = schemaId(topic + (isKey ? "-key" : "-value"), schema);
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        byte[] header = new byte[ConfluentWireFormat.HEADER_SIZE];
        ConfluentWireFormat.writeHeader(header, id);
        out.writeBytes(header);
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, encoders.get());
        encoders.set(encoder);
        try {
            writers.computeIfAbsent(schema, AvroSerializer::writerFor).write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot encode " + schema.getFullName() + " for topic " + topic + ": " + e, e);
        }
        return out.toByteArray();
    }

    private int schemaId(String subject, Schema schema) {
        Map<Schema, Integer> ids = idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Integer id = ids.get(schema);
        if (id == null) {
            if (!autoRegister) {
                throw new SerializationException("schema " + schema.getFullName() + " is not registered under "
                        + subject + " and " + SerdeConfig.AUTO_REGISTER + " is false");
            }
            id = registry.register(subject, schema);
            ids.put(schema, id);
        }
        return id;
    }

    @SuppressWarnings("unchecked")
    private static DatumWriter<Object> writerFor(Schema schema) {
        // Generated classes carry conversions for logical types; specific writers handle generic records too.
        return SpecificData.get().getClass(schema) != null
                ? (DatumWriter<Object>) (DatumWriter<?>) new SpecificDatumWriter<SpecificRecord>(schema)
                : new GenericDatumWriter<>(schema);
    }
}
