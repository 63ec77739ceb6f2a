package costline.schemas.registry;

import org.apache.avro.Schema;

/** The two calls the serde needs from a Confluent-compatible schema registry. */
public interface SchemaRegistry {

    /** Registers {@code schema} under {@code subject} (idempotent) and returns its global id. */
    int register(String subject, Schema schema);

    /**
     * The schema with this global id.
     *
     * @throws SchemaNotFoundException when the registry knows no such id
     * @throws RegistryUnavailableException when the registry cannot be reached after retries
     */
    Schema byId(int id);
}
