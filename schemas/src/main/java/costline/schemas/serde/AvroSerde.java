package costline.schemas.serde;

import costline.schemas.registry.SchemaRegistries;
import costline.schemas.registry.SchemaRegistry;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Serializer and deserializer of one generated Avro class, for Kafka Streams and typed clients. */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

    private final AvroSerializer<T> serializer;
    private final AvroDeserializer<T> deserializer;

    public AvroSerde(SchemaRegistry registry, Class<T> type) {
        this.serializer = new AvroSerializer<>(registry);
        this.deserializer = new AvroDeserializer<>(registry, type);
    }

    /** A value serde for {@code type} against the registry at {@code registryUrl} (http(s):// or mock://). */
    public static <T extends SpecificRecord> AvroSerde<T> forValues(String registryUrl, Class<T> type) {
        return new AvroSerde<>(SchemaRegistries.forUrl(registryUrl), type);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // Built with its registry already; a configuration that names one replaces it.
        if (configs.containsKey(SerdeConfig.REGISTRY_URL)) {
            serializer.configure(configs, isKey);
            deserializer.configure(configs, isKey);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
