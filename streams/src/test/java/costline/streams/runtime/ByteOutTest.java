package costline.streams.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ByteOutTest {

    /** The same bytes as DataOutputStream for every write they share, whatever the mix and however far it grows. */
    @Test
    void writesWhatDataOutputStreamWrites() throws IOException {
        Random rnd = new Random(7);
        for (int round = 0; round < 2_000; round++) {
            ByteArrayOutputStream reference = new ByteArrayOutputStream();
            DataOutputStream data = new DataOutputStream(reference);
            ByteOut out = new ByteOut(rnd.nextInt(40));
            int writes = rnd.nextInt(60);
            for (int i = 0; i < writes; i++) {
                switch (rnd.nextInt(5)) {
                    case 0 -> {
                        int b = rnd.nextInt();
                        data.writeByte(b);
                        out.writeByte(b);
                    }
                    case 1 -> {
                        boolean b = rnd.nextBoolean();
                        data.writeBoolean(b);
                        out.writeBoolean(b);
                    }
                    case 2 -> {
                        int v = edgeOr(rnd, rnd.nextInt(), Integer.MIN_VALUE, Integer.MAX_VALUE, -1, 0);
                        data.writeInt(v);
                        out.writeInt(v);
                    }
                    case 3 -> {
                        long v = edgeOr(rnd, rnd.nextLong(), Long.MIN_VALUE, Long.MAX_VALUE, -1L, 0L);
                        data.writeLong(v);
                        out.writeLong(v);
                    }
                    default -> {
                        byte[] b = new byte[rnd.nextInt(300)];
                        rnd.nextBytes(b);
                        data.write(b);
                        out.write(b);
                    }
                }
            }
            data.flush();
            assertThat(out.toByteArray()).isEqualTo(reference.toByteArray());
            assertThat(out.size()).isEqualTo(reference.size());
        }
    }

    /** Doubles as ByteBuffer writes them (big-endian raw IEEE bits: a NaN's payload is kept), so drift's layout is unchanged. */
    @Test
    void doublesAsByteBufferWritesThem() {
        Random rnd = new Random(13);
        for (int i = 0; i < 10_000; i++) {
            double v = switch (i % 4) {
                case 0 -> rnd.nextDouble() * 1e6 - 5e5;
                case 1 -> Double.longBitsToDouble(rnd.nextLong());
                case 2 -> Double.longBitsToDouble(0x7ff0000000000001L + rnd.nextInt(1_000)); // NaNs with payloads
                default -> edgeOr(rnd, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, Double.NEGATIVE_INFINITY, 0.0);
            };
            assertThat(new ByteOut(1).writeDouble(v).toByteArray()).isEqualTo(java.nio.ByteBuffer.allocate(8).putDouble(v).array());
        }
    }

    /** Variable-length longs read back to themselves; small magnitudes of either sign take one byte, any long ten at most. */
    @Test
    void variableLengthLongsRoundTripAndStayShort() {
        Random rnd = new Random(11);
        for (int i = 0; i < 100_000; i++) {
            long v = switch (i % 4) {
                case 0 -> rnd.nextLong();
                case 1 -> rnd.nextInt(200) - 100;
                case 2 -> rnd.nextLong() >> rnd.nextInt(64);
                default -> edgeOr(rnd, rnd.nextLong(), Long.MIN_VALUE, Long.MAX_VALUE, -1L, 0L);
            };
            byte[] bytes = new ByteOut(1).writeVarLong(v).toByteArray();
            assertThat(read(bytes)).isEqualTo(v);
            assertThat(bytes.length).isBetween(1, 10);
            if (v >= -64 && v <= 63) {
                assertThat(bytes).hasSize(1);
            }
        }
        assertThat(new ByteOut(1).writeVarLong(Long.MIN_VALUE).toByteArray()).hasSize(10);
        assertThat(new ByteOut(1).writeVarLong(64).toByteArray()).hasSize(2);
    }

    private static long read(byte[] bytes) {
        long z = 0;
        for (int i = 0; i < bytes.length; i++) {
            z |= (long) (bytes[i] & 0x7F) << (7 * i);
            assertThat((bytes[i] & 0x80) != 0).isEqualTo(i < bytes.length - 1);
        }
        return (z >>> 1) ^ -(z & 1);
    }

    @SafeVarargs
    private static <T> T edgeOr(Random rnd, T usual, T... edges) {
        return rnd.nextInt(4) == 0 ? edges[rnd.nextInt(edges.length)] : usual;
    }
}
