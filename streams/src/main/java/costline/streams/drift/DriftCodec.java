package costline.streams.drift;

import costline.streams.config.JsonSerde;
import costline.streams.drift.WorkloadInput.CostPart;
import costline.streams.drift.WorkloadInput.Observation;
import costline.streams.runtime.ByteOut;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Compact binary values of drift's busiest data: the per-GPU state ({@code drift-gpu-state}), the held GPUs
 * ({@code drift-workload-gpus}) and the records of the {@code drift-workload-input} repartition topic. Each is written
 * about once per sample at 1 Hz (the state once per GPU per commit); as JSON, their encoding and decoding (mostly
 * doubles as text) was half of the drift thread in the whole-pipeline benchmark's profile.
 *
 * <p>Layout: a version byte ({@link #V1}), then the fields in a fixed order, big-endian; doubles as their IEEE bits (the
 * same double comes back), strings as a 4-byte length (-1 for null) and UTF-8. Reading also accepts the earlier
 * layout, JSON (it starts with {@code '{'}, never a version byte): a state store restored from a changelog written
 * before, and repartition records written before an upgrade, are read as they were, and rewritten in this layout.
 * The repartition records are {@link WorkloadBatch}es ({@link #V2}: a count, then that many inputs in the V1 input
 * layout); a V1 or JSON record, one input, written before batches, is read as a batch of one.
 */
final class DriftCodec {

    static final byte V1 = 1;
    /** {@link WorkloadBatch}: several inputs in one record. */
    static final byte V2 = 2;
    private static final byte JSON_START = '{';

    private DriftCodec() {
    }

    static Serde<GpuDriftState> gpuState() {
        return serde(GpuDriftState.class, DriftCodec::writeGpuState, DriftCodec::readGpuState);
    }

    static Serde<HeldGpu> heldGpu() {
        return serde(HeldGpu.class, DriftCodec::writeHeldGpu, DriftCodec::readHeldGpu);
    }

    /** One input per record (V1): the repartition records written before batches; read by {@link #workloadBatch}. */
    static Serde<WorkloadInput> workloadInput() {
        return serde(WorkloadInput.class, DriftCodec::writeInput, DriftCodec::readInput);
    }

    /** The repartition records and the held batches (V2); reads the single-input layouts (V1, JSON) as batches of one. */
    static Serde<WorkloadBatch> workloadBatch() {
        Deserializer<WorkloadInput> json = new JsonSerde<>(WorkloadInput.class).deserializer();
        return serde(WorkloadBatch.class, V2, DriftCodec::writeBatch,
                Map.of(V1, in -> WorkloadBatch.of(readInput(in)), V2, DriftCodec::readBatch),
                (topic, bytes) -> WorkloadBatch.of(json.deserialize(topic, bytes)));
    }

    interface Writer<T> {
        void write(ByteOut out, T value);
    }

    interface Reader<T> {
        T read(ByteBuffer in);
    }

    private static <T> Serde<T> serde(Class<T> type, Writer<T> writer, Reader<T> reader) {
        return serde(type, V1, writer, Map.of(V1, reader), new JsonSerde<>(type).deserializer());
    }

    /** Writes layout {@code version}; reads each layout of {@code readers}, and JSON with {@code json}. */
    private static <T> Serde<T> serde(Class<T> type, byte version, Writer<T> writer, Map<Byte, Reader<T>> readers,
                                      Deserializer<T> json) {
        return Serdes.serdeFrom((topic, value) -> {
            if (value == null) {
                return null;
            }
            ByteOut out = new ByteOut(256);
            out.writeByte(version);
            writer.write(out, value);
            return out.toByteArray();
        }, (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            if (bytes.length > 0 && bytes[0] == JSON_START) {
                return json.deserialize(topic, bytes);
            }
            Reader<T> reader = bytes.length == 0 ? null : readers.get(bytes[0]);
            if (reader == null) {
                throw new SerializationException("cannot read " + type.getSimpleName() + ": unknown layout version "
                        + (bytes.length == 0 ? "(empty value)" : Byte.toString(bytes[0])));
            }
            ByteBuffer in = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
            try {
                T value = reader.read(in);
                if (in.hasRemaining()) {
                    throw new SerializationException("cannot read " + type.getSimpleName() + ": " + in.remaining()
                            + " bytes left over");
                }
                return value;
            } catch (BufferUnderflowException | IllegalArgumentException e) {
                throw new SerializationException("cannot read " + type.getSimpleName() + ": truncated or corrupt value", e);
            }
        });
    }

    // --- GpuDriftState -------------------------------------------------------------------------------------------

    private static void writeGpuState(ByteOut out, GpuDriftState s) {
        writeDetector(out, s.utilization);
        writeDetector(out, s.powerPerUtil);
        out.writeLong(s.lastSampleTime).writeLong(s.skippedOutOfOrder).writeLong(s.invalidReadings);
    }

    private static GpuDriftState readGpuState(ByteBuffer in) {
        GpuDriftState s = new GpuDriftState();
        s.utilization = readDetector(in);
        s.powerPerUtil = readDetector(in);
        s.lastSampleTime = in.getLong();
        s.skippedOutOfOrder = in.getLong();
        s.invalidReadings = in.getLong();
        return s;
    }

    private static void writeDetector(ByteOut out, DetectorState d) {
        if (d == null) {
            out.writeByte(0);
            return;
        }
        out.writeByte(1);
        out.writeByte(d.monitoring ? 1 : 0).writeInt(d.warmCount)
                .writeDouble(d.baseline).writeDouble(d.absDev).writeDouble(d.cusumUp).writeDouble(d.cusumDown)
                .writeLong(d.upStart).writeLong(d.downStart).writeInt(d.armedSamples)
                .writeInt(d.windowCount).writeInt(d.windowPos).writeLong(d.samplesSeen).writeLong(d.detections);
        writeDoubles(out, d.warm);
        writeDoubles(out, d.window);
        writeLongs(out, d.windowTimes);
    }

    private static DetectorState readDetector(ByteBuffer in) {
        if (in.get() == 0) {
            return null;
        }
        DetectorState d = new DetectorState();
        d.monitoring = in.get() != 0;
        d.warmCount = in.getInt();
        d.baseline = in.getDouble();
        d.absDev = in.getDouble();
        d.cusumUp = in.getDouble();
        d.cusumDown = in.getDouble();
        d.upStart = in.getLong();
        d.downStart = in.getLong();
        d.armedSamples = in.getInt();
        d.windowCount = in.getInt();
        d.windowPos = in.getInt();
        d.samplesSeen = in.getLong();
        d.detections = in.getLong();
        d.warm = readDoubles(in);
        d.window = readDoubles(in);
        d.windowTimes = readLongs(in);
        return d;
    }

    // --- HeldGpu -------------------------------------------------------------------------------------------------

    private static void writeHeldGpu(ByteOut out, HeldGpu h) {
        out.writeDouble(h.share).writeDouble(h.lastUtilPct).writeLong(h.lastSeen);
        out.writeByte(h.idleSince == null ? 0 : 1);
        if (h.idleSince != null) {
            out.writeLong(h.idleSince);
        }
        string(out, h.siteModel);
    }

    private static HeldGpu readHeldGpu(ByteBuffer in) {
        HeldGpu h = new HeldGpu();
        h.share = in.getDouble();
        h.lastUtilPct = in.getDouble();
        h.lastSeen = in.getLong();
        h.idleSince = in.get() == 0 ? null : in.getLong();
        h.siteModel = string(in);
        return h;
    }

    // --- WorkloadInput -------------------------------------------------------------------------------------------

    private static final byte OBSERVATION = 1;
    private static final byte COST = 2;
    private static final byte EMPTY = 0;

    private static void writeInput(ByteOut out, WorkloadInput w) {
        if (w.observation() != null) {
            Observation o = w.observation();
            out.writeByte(OBSERVATION).writeLong(o.sampleTime()).writeLong(o.intervalMs()).writeDouble(o.share());
            out.writeByte(o.utilPct() == null ? 0 : 1);
            if (o.utilPct() != null) {
                out.writeDouble(o.utilPct());
            }
            string(out, o.gpuId());
            string(out, o.site());
            string(out, o.gpuModel());
        } else if (w.cost() != null) {
            CostPart c = w.cost();
            out.writeByte(COST).writeLong(c.windowStart()).writeLong(c.windowEnd()).writeLong(c.costMicroUsd()).writeLong(c.gpuMs());
            string(out, c.site());
            string(out, c.gpuModel());
        } else {
            out.writeByte(EMPTY);
        }
    }

    private static WorkloadInput readInput(ByteBuffer in) {
        byte kind = in.get();
        if (kind == OBSERVATION) {
            long sampleTime = in.getLong();
            long intervalMs = in.getLong();
            double share = in.getDouble();
            Double util = in.get() == 0 ? null : in.getDouble();
            return WorkloadInput.of(new Observation(string(in), sampleTime, intervalMs, util, share, string(in), string(in)));
        }
        if (kind == COST) {
            long start = in.getLong();
            long end = in.getLong();
            long cost = in.getLong();
            long gpuMs = in.getLong();
            return WorkloadInput.of(new CostPart(string(in), string(in), start, end, cost, gpuMs));
        }
        if (kind == EMPTY) {
            return new WorkloadInput(null, null);
        }
        throw new IllegalArgumentException("unknown workload input kind " + kind);
    }

    // --- WorkloadBatch (V2) ---------------------------------------------------------------------------------------

    private static void writeBatch(ByteOut out, WorkloadBatch b) {
        out.writeInt(b.inputs().size());
        for (WorkloadInput i : b.inputs()) {
            writeInput(out, i);
        }
    }

    private static WorkloadBatch readBatch(ByteBuffer in) {
        int n = length(in, 1); // an input is at least its kind byte
        if (n < 0) {
            throw new IllegalArgumentException("bad batch length " + n);
        }
        List<WorkloadInput> inputs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            inputs.add(readInput(in));
        }
        return new WorkloadBatch(inputs);
    }

    // --- primitives ----------------------------------------------------------------------------------------------

    private static void writeDoubles(ByteOut out, double[] values) {
        int n = values == null ? -1 : values.length;
        out.writeInt(n);
        for (int i = 0; i < n; i++) {
            out.writeDouble(values[i]);
        }
    }

    private static double[] readDoubles(ByteBuffer in) {
        int n = length(in, 8);
        if (n < 0) {
            return null;
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = in.getDouble();
        }
        return values;
    }

    private static void writeLongs(ByteOut out, long[] values) {
        int n = values == null ? -1 : values.length;
        out.writeInt(n);
        for (int i = 0; i < n; i++) {
            out.writeLong(values[i]);
        }
    }

    private static long[] readLongs(ByteBuffer in) {
        int n = length(in, 8);
        if (n < 0) {
            return null;
        }
        long[] values = new long[n];
        for (int i = 0; i < n; i++) {
            values[i] = in.getLong();
        }
        return values;
    }

    private static String string(ByteBuffer in) {
        int n = length(in, 1);
        if (n < 0) {
            return null;
        }
        String s = new String(in.array(), in.arrayOffset() + in.position(), n, StandardCharsets.UTF_8);
        in.position(in.position() + n);
        return s;
    }

    /** A length prefix: -1 (null) or a count whose items fit in what is left (a corrupt length must not allocate GBs). */
    private static int length(ByteBuffer in, int itemBytes) {
        int n = in.getInt();
        if (n < -1 || (n > 0 && (long) n * itemBytes > in.remaining())) {
            throw new IllegalArgumentException("bad length " + n);
        }
        return n;
    }

    /** A name: its UTF-8 length (-1 for none) and bytes. */
    private static void string(ByteOut out, String s) {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length).write(b);
    }
}
