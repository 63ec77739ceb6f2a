package costline.schemas.serde;

import java.nio.ByteBuffer;

/**
 * The Confluent wire format: byte 0 is the magic byte 0, bytes 1..4 the schema id (big-endian int), the
 * rest the Avro binary encoding of the value under that schema.
 */
public final class ConfluentWireFormat {

    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 5;

    private ConfluentWireFormat() {
    }

    /** Reads the schema id from a framed value, checking the magic byte and the length. */
    public static int schemaId(byte[] framed) {
        if (framed == null || framed.length == 0) {
            throw new WireFormatException(DecodeFailure.BAD_MAGIC_BYTE, null, "empty value", null);
        }
        if (framed[0] != MAGIC_BYTE) {
            throw new WireFormatException(DecodeFailure.BAD_MAGIC_BYTE, null,
                    String.format("first byte is 0x%02x, expected 0x00", framed[0]), null);
        }
        if (framed.length < HEADER_SIZE) {
            throw new WireFormatException(DecodeFailure.CORRUPT_BODY, null,
                    "value of " + framed.length + " bytes is shorter than the 5-byte header", null);
        }
        return ByteBuffer.wrap(framed, 1, 4).getInt();
    }

    /** Writes the 5-byte header into the start of {@code target}. */
    public static void writeHeader(byte[] target, int schemaId) {
        target[0] = MAGIC_BYTE;
        ByteBuffer.wrap(target, 1, 4).putInt(schemaId);
    }
}
