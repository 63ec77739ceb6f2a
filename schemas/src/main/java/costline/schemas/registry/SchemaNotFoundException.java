package costline.schemas.registry;

/** The registry answered, and it has no schema with the id asked for. */
public class SchemaNotFoundException extends RuntimeException {
    public SchemaNotFoundException(int id) {
        super("schema id " + id + " is not registered");
    }
}
