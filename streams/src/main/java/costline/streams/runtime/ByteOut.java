package costline.streams.runtime;

import java.util.Arrays;

/**
 * A growing big-endian byte array for encoding state values: the writes of {@link java.io.DataOutputStream} (same
 * bytes), without its stream layers (a synchronized {@code ByteArrayOutputStream} call per byte), plus zig-zag
 * variable-length longs. The one writer of the binary state layouts (the cost topology's {@code StateCodec}, drift's
 * {@code DriftCodec}); encoding the cost topology's per-GPU de-duplication values byte by byte through those layers was
 * a quarter of its stream thread at each commit.
 */
public final class ByteOut {

    private byte[] buf;
    private int size;

    public ByteOut(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    private void ensure(int more) {
        if (buf.length - size < more) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }

    public ByteOut writeByte(int v) {
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    public ByteOut writeBoolean(boolean v) {
        return writeByte(v ? 1 : 0);
    }

    public ByteOut writeInt(int v) {
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (v >>> shift);
        }
        return this;
    }

    public ByteOut writeLong(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (v >>> shift);
        }
        return this;
    }

    /** The double's IEEE bits as {@link #writeLong} (raw: NaN payloads kept, as {@code DataOutputStream} would not). */
    public ByteOut writeDouble(double v) {
        return writeLong(Double.doubleToRawLongBits(v));
    }

    public ByteOut write(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
        return this;
    }

    /** Zig-zag (small negative numbers stay short), then 7 bits a byte, low bits first; 1 to 10 bytes. */
    public ByteOut writeVarLong(long v) {
        ensure(10);
        long z = (v << 1) ^ (v >> 63);
        while ((z & ~0x7FL) != 0) {
            buf[size++] = (byte) ((z & 0x7F) | 0x80);
            z >>>= 7;
        }
        buf[size++] = (byte) z;
        return this;
    }

    public int size() {
        return size;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }
}
