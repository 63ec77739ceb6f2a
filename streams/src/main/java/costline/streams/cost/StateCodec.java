package costline.streams.cost;

import costline.streams.runtime.ByteOut;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Compact binary values of the cost topology's state stores. Versioned by a leading byte so a later layout can
 * still read the changelog of an earlier one.
 *
 * <p>Names are written as a 4-byte length and their UTF-8 bytes ({@link #PART_V2}, {@link #SEEN_V3}): the earlier
 * layouts used {@code DataOutputStream.writeUTF}, whose 64 KiB limit made a long workload name throw on every retry
 * of the same record, a crash loop. Those layouts are still read.
 */
final class StateCodec {

    private static final byte V1 = 1;
    /** Seen with the minute of each part (V1 kept the parts summed over the sample's minutes). */
    private static final byte V2 = 2;
    /** Part with names as length + UTF-8 bytes, no length limit. */
    private static final byte PART_V2 = 2;
    /** Seen as V2, with names as length + UTF-8 bytes. */
    private static final byte SEEN_V3 = 3;
    /** Pending entry: the last revision sequence handed out for its key, then the part not yet emitted (if any). */
    private static final byte PENDING_V3 = 3;
    /** A GPU's seen samples in one value ({@link SeenWindow}); its own store, so its own numbering. */
    private static final byte SEEN_WINDOW_V1 = 1;

    /** {@link Pending#lastSequence} of an entry written by an earlier layout: the sequence is in the old revisions store. */
    static final int SEQUENCE_UNKNOWN = Integer.MIN_VALUE;

    /**
     * One (minute, site, GPU model, workload) of the pending store: the increment summed since the last emit
     * ({@code part}, null when nothing is pending) and the last revision sequence emitted for the key ({@code -1}
     * when none; {@link #SEQUENCE_UNKNOWN} for an entry of the earlier layout, which kept it in a store of its own).
     * Keeping the sequence here, in the entry the emit rewrites anyway, makes an emit one changelog record per key.
     */
    record Pending(int lastSequence, Part part) {
    }

    /**
     * What the topology remembers of a costed sample: to drop its duplicates and to apply its corrections exactly,
     * minute by minute. {@code legacyParts} is set (and {@code pieces} null) only for a V1 value.
     */
    record Seen(long bodyHash, long energyMj, List<SampleCosting.Piece> pieces, List<Part> legacyParts) {

        Seen(long bodyHash, long energyMj, List<SampleCosting.Piece> pieces) {
            this(bodyHash, energyMj, pieces, null);
        }

        List<SampleCosting.Piece> piecesOr(java.util.function.Supplier<List<SampleCosting.Piece>> fromLegacy) {
            return pieces != null ? pieces : fromLegacy.get();
        }
    }

    private StateCodec() {
    }

    static byte[] part(Part p) {
        return write(out -> {
            out.writeByte(PART_V2);
            writePart(out, p);
        });
    }

    static Part part(byte[] bytes) {
        return read(bytes, in -> {
            byte v = in.readByte();
            if (v != V1 && v != PART_V2) {
                throw new IOException("unknown state layout version " + v);
            }
            return readPart(in, v == PART_V2);
        });
    }

    static byte[] pending(Pending p) {
        return write(out -> {
            out.writeByte(PENDING_V3);
            out.writeInt(p.lastSequence());
            out.writeBoolean(p.part() != null);
            if (p.part() != null) {
                writePart(out, p.part());
            }
        });
    }

    /** Reads this layout and the earlier one (a bare {@link Part}, the sequence {@link #SEQUENCE_UNKNOWN}). */
    static Pending pending(byte[] bytes) {
        return read(bytes, in -> {
            byte v = in.readByte();
            if (v == V1 || v == PART_V2) {
                return new Pending(SEQUENCE_UNKNOWN, readPart(in, v == PART_V2));
            }
            if (v != PENDING_V3) {
                throw new IOException("unknown state layout version " + v);
            }
            int sequence = in.readInt();
            return new Pending(sequence, in.readBoolean() ? readPart(in, true) : null);
        });
    }

    /** A store value serde over an encoder and decoder of this class (null stays null: a delete). */
    static <T> org.apache.kafka.common.serialization.Serde<T> serde(java.util.function.Function<T, byte[]> encode,
                                                                    java.util.function.Function<byte[], T> decode) {
        return org.apache.kafka.common.serialization.Serdes.serdeFrom(
                (topic, v) -> v == null ? null : encode.apply(v),
                (topic, b) -> b == null ? null : decode.apply(b));
    }

    static byte[] seen(Seen s) {
        return write(out -> {
            out.writeByte(SEEN_V3);
            out.writeLong(s.bodyHash());
            out.writeLong(s.energyMj());
            out.writeInt(s.pieces().size());
            for (SampleCosting.Piece p : s.pieces()) {
                out.writeLong(p.minuteMs());
                writePart(out, p.part());
            }
        });
    }

    static Seen seen(byte[] bytes) {
        return read(bytes, in -> {
            byte v = in.readByte();
            if (v != V1 && v != V2 && v != SEEN_V3) {
                throw new IOException("unknown state layout version " + v);
            }
            boolean longNames = v == SEEN_V3;
            long hash = in.readLong();
            long energy = in.readLong();
            int n = in.readInt();
            if (v == V1) {
                List<Part> parts = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    parts.add(readPart(in, false));
                }
                return new Seen(hash, energy, null, parts);
            }
            List<SampleCosting.Piece> pieces = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long minute = in.readLong();
                pieces.add(new SampleCosting.Piece(minute, readPart(in, longNames)));
            }
            return new Seen(hash, energy, pieces, null);
        });
    }

    /**
     * A {@link SeenWindow}: the head's chunk ids and start, then its samples in time order, each as the time's delta
     * from the one before, the body hash, the energy and its pieces (minute as the delta from the sample time, names as
     * indexes into the value's table of names, amounts as variable-length longs). A GPU sampled at a steady rate has
     * the same small delta sample after sample and the same few names: about 30 bytes a sample instead of ~150.
     *
     * <p>Written from what the window keeps: its table of names ({@link SeenNames}, which may list a name no sample
     * uses any more) and each sample's body as {@link #seenBody} encoded it when the sample was put, so a commit copies
     * bytes rather than encoding every sample of the head again. The bytes are those of the layout as it was first
     * written ({@code SEEN_WINDOW_V1}, whose reader never required every name of the table to be used): a value of
     * either writer reads the same.
     */
    static byte[] seenWindow(SeenWindow w) {
        byte[] names = w.names().encoded();
        int n = w.size();
        ByteOut out = new ByteOut(1 + 10 * (w.chunks.length + 2) + names.length + 10 + 10 * n + w.bodyBytes());
        out.writeByte(SEEN_WINDOW_V1);
        out.writeVarLong(w.chunks.length);
        long prev = 0;
        for (long id : w.chunks) {
            out.writeVarLong(id - prev);
            prev = id;
        }
        out.writeVarLong(w.headFromMs == Long.MIN_VALUE ? 0 : w.headFromMs - prev + 1);
        out.write(names);
        out.writeVarLong(n);
        long prevTime = 0;
        for (int i = 0; i < n; i++) {
            long t = w.time(i);
            out.writeVarLong(t - prevTime);
            prevTime = t;
            out.write(w.body(i));
        }
        return out.toByteArray();
    }

    /** A table of names as {@link #seenWindow} writes it: the count, then each name. */
    static byte[] names(String[] names, int count) {
        return write(out -> {
            out.writeVarLong(count);
            for (int i = 0; i < count; i++) {
                writeString(out, names[i]);
            }
        });
    }

    /**
     * One sample of a {@link #seenWindow} after its time: the body hash, the energy and its pieces, names as indexes
     * into {@code names} (names it does not list are added to it).
     */
    static byte[] seenBody(long t, Seen s, SeenNames names) {
        List<SampleCosting.Piece> pieces = s.pieces();
        ByteOut out = new ByteOut(20 + 30 * pieces.size());
        out.writeLong(s.bodyHash());
        out.writeVarLong(s.energyMj());
        out.writeVarLong(pieces.size());
        for (SampleCosting.Piece p : pieces) {
            Part part = p.part();
            out.writeVarLong(p.minuteMs() - t);
            out.writeVarLong(names.indexOf(part.workload()));
            out.writeVarLong(part.team() == null ? 0 : names.indexOf(part.team()) + 1);
            out.writeVarLong(part.gpuMs());
            out.writeVarLong(part.busyGpuMs());
            out.writeVarLong(part.costMicroUsd());
            out.writeVarLong(part.idleMicroUsd());
            out.writeVarLong(part.energyMj());
            out.writeVarLong(part.samples());
        }
        return out.toByteArray();
    }

    /** The sample a body of {@link #seenBody} holds ({@code t}: its time; {@code names}: the table it was encoded against). */
    static Seen seenOfBody(long t, byte[] body, SeenNames names) {
        int[] at = {8};
        long hash = 0;
        for (int i = 0; i < 8; i++) {
            hash = hash << 8 | (body[i] & 0xff);
        }
        long energy = readVarLong(body, at);
        int n = (int) readVarLong(body, at);
        List<SampleCosting.Piece> pieces = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            long minute = t + readVarLong(body, at);
            String workload = names.get((int) readVarLong(body, at));
            int team = (int) readVarLong(body, at);
            pieces.add(new SampleCosting.Piece(minute, new Part(workload, team == 0 ? null : names.get(team - 1),
                    readVarLong(body, at), readVarLong(body, at), readVarLong(body, at), readVarLong(body, at),
                    readVarLong(body, at), (int) readVarLong(body, at))));
        }
        return new Seen(hash, energy, pieces);
    }

    /** Whether the first {@code n} bodies ({@link #seenBody}) together use every one of a table's {@code names}. */
    static boolean useAllNames(byte[][] bodies, int n, int names) {
        boolean[] used = new boolean[names];
        int[] left = {names};
        try {
            for (int i = 0; i < n && left[0] > 0; i++) {
                walkBody(bodies[i], 0, bodies[i].length, names, name -> {
                    if (!used[name]) {
                        used[name] = true;
                        left[0]--;
                    }
                });
            }
        } catch (IOException e) {
            throw new IllegalStateException("a body this window encoded does not read back: " + e.getMessage(), e);
        }
        return left[0] == 0;
    }

    /**
     * Walks the body of {@link #seenBody} that starts at {@code from} (and ends by {@code end}), checking it against a
     * table of {@code names} names and passing each name index it uses to {@code used}; returns where the body ends.
     * The one place besides {@link #seenOfBody} that knows the body's layout: the check of a value read from the store
     * and the look for unused names before a chunk is written both walk it here.
     */
    private static int walkBody(byte[] b, int from, int end, int names, java.util.function.IntConsumer used)
            throws IOException {
        int[] at = {from + 8}; // after the body hash
        if (at[0] > end) {
            throw new IOException("sample body past the value's end");
        }
        checkedVarLong(b, at, end); // energy
        long pieces = checkedVarLong(b, at, end);
        if (pieces < 0 || pieces > end - at[0]) {
            throw new IOException("count " + pieces + " where " + (end - at[0]) + " bytes are left");
        }
        for (long j = 0; j < pieces; j++) {
            checkedVarLong(b, at, end); // minute
            used.accept(nameIndex(checkedVarLong(b, at, end), names));
            long team = checkedVarLong(b, at, end);
            if (team != 0) {
                used.accept(nameIndex(team - 1, names));
            }
            for (int field = 0; field < 5; field++) {
                checkedVarLong(b, at, end); // GPU ms, busy GPU ms, cost, idle cost, energy
            }
            long samples = checkedVarLong(b, at, end);
            if (samples != (int) samples) {
                throw new IOException("samples " + samples);
            }
        }
        return at[0];
    }

    private static int nameIndex(long i, int names) throws IOException {
        if (i < 0 || i >= names) {
            throw new IOException("name " + i + " of " + names);
        }
        return (int) i;
    }

    /** {@link #readVarLong(byte[], int[])}, refusing to read at or past {@code end}. */
    private static long checkedVarLong(byte[] b, int[] at, int end) throws IOException {
        long z = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (at[0] >= end) {
                throw new IOException("sample body past the value's end");
            }
            int v = b[at[0]++];
            z |= (long) (v & 0x7F) << shift;
            if ((v & 0x80) == 0) {
                return (z >>> 1) ^ -(z & 1);
            }
        }
        throw new IOException("variable-length number over 64 bits");
    }

    /** {@link #readVarLong(DataInputStream)} over bytes this class wrote itself, from {@code at[0]} (moved on). */
    private static long readVarLong(byte[] b, int[] at) {
        long z = 0;
        for (int shift = 0; ; shift += 7) {
            int v = b[at[0]++];
            z |= (long) (v & 0x7F) << shift;
            if ((v & 0x80) == 0) {
                return (z >>> 1) ^ -(z & 1);
            }
        }
    }

    /**
     * Reads what {@link #seenWindow} writes, each sample's body kept as read (a window read from the store writes it
     * back without encoding its samples again). Sample times must ascend (the writer's order); a value that breaks
     * that, or points past its table of names or its end, is refused.
     */
    static SeenWindow seenWindow(byte[] bytes) {
        return read(bytes, in -> {
            byte v = in.readByte();
            if (v != SEEN_WINDOW_V1) {
                throw new IOException("unknown state layout version " + v);
            }
            long[] chunks = new long[count(in)];
            long prev = 0;
            for (int i = 0; i < chunks.length; i++) {
                chunks[i] = prev + readVarLong(in);
                prev = chunks[i];
            }
            long head = readVarLong(in);
            long headFrom = head == 0 ? Long.MIN_VALUE : prev + head - 1;
            String[] names = new String[count(in)];
            for (int i = 0; i < names.length; i++) {
                names[i] = readString(in);
            }
            int n = count(in);
            long[] times = new long[Math.max(4, n)];
            byte[][] bodies = new byte[times.length][];
            long t = 0;
            for (int i = 0; i < n; i++) {
                long delta = readVarLong(in);
                if (i > 0 && delta <= 0) {
                    throw new IOException("sample " + i + " not after the one before (" + delta + " ms)");
                }
                t += delta;
                // the body is kept as read (seenOfBody decodes it when asked for): here it is only checked
                int bodyFrom = bytes.length - in.available();
                int bodyEnd = walkBody(bytes, bodyFrom, bytes.length, names.length, name -> { });
                in.skipNBytes(bodyEnd - bodyFrom);
                times[i] = t;
                bodies[i] = java.util.Arrays.copyOfRange(bytes, bodyFrom, bodyEnd);
            }
            return SeenWindow.decoded(times, bodies, n, SeenNames.of(names), chunks, headFrom);
        });
    }

    private static int count(DataInputStream in) throws IOException {
        long n = readVarLong(in);
        if (n < 0 || n > in.available()) {
            throw new IOException("count " + n + " where " + in.available() + " bytes are left");
        }
        return (int) n;
    }

    /** What {@link ByteOut#writeVarLong} wrote: zig-zag, then 7 bits a byte, low bits first. */
    private static long readVarLong(DataInputStream in) throws IOException {
        long z = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            z |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return (z >>> 1) ^ -(z & 1);
            }
        }
        throw new IOException("variable-length number longer than 10 bytes");
    }

    static byte[] energy(EnergyMeter.State s) {
        return write(out -> {
            out.writeByte(V1);
            out.writeLong(s.counterMj());
            out.writeLong(s.atMs());
            out.writeLong(s.spanStartMs());
            out.writeLong(s.provisionalMj());
        });
    }

    static EnergyMeter.State energy(byte[] bytes) {
        return read(bytes, in -> {
            version(in);
            return new EnergyMeter.State(in.readLong(), in.readLong(), in.readLong(), in.readLong());
        });
    }

    private static void writePart(ByteOut out, Part p) {
        writeString(out, p.workload());
        out.writeBoolean(p.team() != null);
        if (p.team() != null) {
            writeString(out, p.team());
        }
        out.writeLong(p.gpuMs());
        out.writeLong(p.busyGpuMs());
        out.writeLong(p.costMicroUsd());
        out.writeLong(p.idleMicroUsd());
        out.writeLong(p.energyMj());
        out.writeInt(p.samples());
    }

    private static Part readPart(DataInputStream in, boolean longNames) throws IOException {
        String workload = longNames ? readString(in) : in.readUTF();
        String team = in.readBoolean() ? (longNames ? readString(in) : in.readUTF()) : null;
        return new Part(workload, team, in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readInt());
    }

    private static void writeString(ByteOut out, String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("name of " + n + " bytes where " + in.available() + " are left");
        }
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }

    private static void version(DataInputStream in) throws IOException {
        byte v = in.readByte();
        if (v != V1) {
            throw new IOException("unknown state layout version " + v);
        }
    }

    private interface Writer {
        void write(ByteOut out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] write(Writer w) {
        ByteOut out = new ByteOut(64);
        try {
            w.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static <T> T read(byte[] bytes, Reader<T> r) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return r.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt cost state: " + e.getMessage(), e);
        }
    }
}
