package costline.streams.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import costline.streams.config.JsonSerde;
import costline.streams.drift.WorkloadInput.CostPart;
import costline.streams.drift.WorkloadInput.Observation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/**
 * Drift's binary layouts: every field comes back, the earlier JSON layout (a changelog or repartition topic written by
 * the previous build) is read as it was, and a detector restored from either layout continues exactly as the one that
 * never stopped.
 */
class DriftCodecTest {

    private static final long T0 = 1_764_000_000_000L;
    private final DriftDetector util = new DriftDetector(DetectorParams.DEFAULTS, MetricScale.UTILIZATION);
    private final DriftDetector ppu = new DriftDetector(DetectorParams.DEFAULTS, MetricScale.POWER_PER_UTIL);

    /** A GPU state after {@code n} samples: warm-up done, windows full, a level shift detected half-way. */
    private GpuDriftState fed(int n, SplittableRandom random) {
        GpuDriftState s = new GpuDriftState();
        s.utilization = util.newState();
        s.powerPerUtil = ppu.newState();
        for (int i = 0; i < n; i++) {
            feed(s, i, random);
        }
        s.skippedOutOfOrder = 3;
        s.invalidReadings = 1L << 40;
        return s;
    }

    private List<Optional<Detection>> feed(GpuDriftState s, int i, SplittableRandom random) {
        long t = T0 + i * 1000L;
        double level = i < 200 ? 40 : 85;
        s.lastSampleTime = t;
        return List.of(util.update(s.utilization, t, level + random.nextGaussian() * 3),
                ppu.update(s.powerPerUtil, t, 4.2 + random.nextGaussian() * 0.1));
    }

    @Test
    void gpuStateRoundTripsAndContinuesExactlyFromEitherLayout() {
        Serde<GpuDriftState> binary = DriftCodec.gpuState();
        Serde<GpuDriftState> json = new JsonSerde<>(GpuDriftState.class);
        for (int n : new int[] {0, 1, 30, 59, 60, 61, 150, 250}) {
            GpuDriftState original = fed(n, new SplittableRandom(n));
            byte[] bytes = binary.serializer().serialize("t", original);
            assertThat(bytes[0]).isEqualTo(DriftCodec.V1);
            GpuDriftState fromBinary = binary.deserializer().deserialize("t", bytes);
            // the earlier layout: JSON, as the previous build wrote the store and its changelog
            byte[] oldBytes = json.serializer().serialize("t", original);
            assertThat(oldBytes[0]).isEqualTo((byte) '{');
            GpuDriftState fromJson = binary.deserializer().deserialize("t", oldBytes);
            for (GpuDriftState restored : List.of(fromBinary, fromJson)) {
                assertSame(restored, original);
            }
            // continue all three with the same samples: the same detections and the same state after each
            SplittableRandom a = new SplittableRandom(99);
            SplittableRandom b = new SplittableRandom(99);
            SplittableRandom c = new SplittableRandom(99);
            for (int i = n; i < n + 300; i++) {
                List<Optional<Detection>> expected = feed(original, i, a);
                assertThat(feed(fromBinary, i, b)).isEqualTo(expected);
                assertThat(feed(fromJson, i, c)).isEqualTo(expected);
            }
            assertSame(fromBinary, original);
            assertSame(fromJson, original);
        }
    }

    @Test
    void detectorsMayBeMissingAndArraysEmpty() {
        Serde<GpuDriftState> binary = DriftCodec.gpuState();
        GpuDriftState s = new GpuDriftState();
        s.utilization = null;
        s.powerPerUtil = new DetectorState();
        s.powerPerUtil.warm = null;
        GpuDriftState back = binary.deserializer().deserialize("t", binary.serializer().serialize("t", s));
        assertThat(back.utilization).isNull();
        assertThat(back.powerPerUtil.warm).isNull();
        assertThat(back.powerPerUtil.window).isEmpty();
        assertThat(back.lastSampleTime).isEqualTo(Long.MIN_VALUE);
        assertThat(binary.serializer().serialize("t", null)).isNull();
        assertThat(binary.deserializer().deserialize("t", null)).isNull();
    }

    @Test
    void heldGpuRoundTripsFromEitherLayout() {
        Serde<HeldGpu> binary = DriftCodec.heldGpu();
        Serde<HeldGpu> json = new JsonSerde<>(HeldGpu.class);
        for (Long idleSince : Arrays.asList(null, 0L, T0, Long.MIN_VALUE)) {
            for (String siteModel : Arrays.asList("ONPREM|NVIDIA H100 80GB HBM3", "CLOUD|推理 ü", "", null)) {
                HeldGpu h = new HeldGpu();
                h.share = 0.1 + 0.2;
                h.siteModel = siteModel;
                h.lastUtilPct = -0.0;
                h.lastSeen = T0 + 7;
                h.idleSince = idleSince;
                for (byte[] bytes : List.of(binary.serializer().serialize("t", h), json.serializer().serialize("t", h))) {
                    HeldGpu back = binary.deserializer().deserialize("t", bytes);
                    assertThat(back.share).isEqualTo(h.share);
                    assertThat(Double.doubleToRawLongBits(back.lastUtilPct)).isEqualTo(Double.doubleToRawLongBits(-0.0));
                    assertThat(back.lastSeen).isEqualTo(h.lastSeen);
                    assertThat(back.idleSince).isEqualTo(idleSince);
                    assertThat(back.siteModel).isEqualTo(siteModel);
                }
            }
        }
    }

    @Test
    void workloadInputsRoundTripFromEitherLayout() {
        Serde<WorkloadInput> binary = DriftCodec.workloadInput();
        Serde<WorkloadInput> json = new JsonSerde<>(WorkloadInput.class);
        for (WorkloadInput w : inputs()) {
            assertThat(binary.deserializer().deserialize("t", binary.serializer().serialize("t", w))).isEqualTo(w);
            assertThat(binary.deserializer().deserialize("t", json.serializer().serialize("t", w))).isEqualTo(w);
        }
    }

    /**
     * A batch comes back with its inputs in order; a record of the single-input layouts (V1, and the JSON before it),
     * as on the repartition topic across the upgrade, is read as a batch of that one input; the size bound the cap uses
     * is never under the bytes written.
     */
    @Test
    void workloadBatchesRoundTripAndTheSingleInputLayoutsAreReadAsBatchesOfOne() {
        Serde<WorkloadBatch> batches = DriftCodec.workloadBatch();
        WorkloadBatch all = new WorkloadBatch(inputs());
        byte[] bytes = batches.serializer().serialize("t", all);
        assertThat(bytes[0]).isEqualTo(DriftCodec.V2);
        assertThat(batches.deserializer().deserialize("t", bytes).inputs()).containsExactlyElementsOf(inputs());
        assertThat(bytes.length).isLessThanOrEqualTo(5 + all.bytes());
        WorkloadBatch empty = new WorkloadBatch();
        assertThat(batches.deserializer().deserialize("t", batches.serializer().serialize("t", empty))).isEqualTo(empty);

        Serde<WorkloadInput> v1 = DriftCodec.workloadInput();
        Serde<WorkloadInput> json = new JsonSerde<>(WorkloadInput.class);
        for (WorkloadInput w : inputs()) {
            byte[] old = v1.serializer().serialize("t", w);
            assertThat(old[0]).isEqualTo(DriftCodec.V1);
            assertThat(batches.deserializer().deserialize("t", old).inputs()).containsExactly(w);
            assertThat(batches.deserializer().deserialize("t", json.serializer().serialize("t", w)).inputs())
                    .containsExactly(w);
            assertThat(batches.serializer().serialize("t", WorkloadBatch.of(w)).length)
                    .isLessThanOrEqualTo(5 + WorkloadBatch.bound(w));
        }

        byte[] future = bytes.clone();
        future[0] = 3;
        assertThatThrownBy(() -> batches.deserializer().deserialize("t", future))
                .isInstanceOf(SerializationException.class).hasMessageContaining("unknown layout version 3");
        byte[] tooMany = bytes.clone();
        tooMany[1] = 0x7f; // a count far beyond the bytes that follow
        assertThatThrownBy(() -> batches.deserializer().deserialize("t", tooMany))
                .isInstanceOf(SerializationException.class).hasMessageContaining("WorkloadBatch");
        assertThatThrownBy(() -> batches.deserializer().deserialize("t", Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("WorkloadBatch");
    }

    private static List<WorkloadInput> inputs() {
        List<WorkloadInput> inputs = new ArrayList<>();
        inputs.add(WorkloadInput.of(new Observation("GPU-1", T0, 1000, 87.5, 0.25, "ONPREM", "NVIDIA H100")));
        inputs.add(WorkloadInput.of(new Observation("i-0abc/3 ü", T0 + 1, 300_000, null, 1.0, "CLOUD", "NVIDIA A10G")));
        inputs.add(WorkloadInput.of(new Observation("g", Long.MIN_VALUE, 0, 0.0, Double.MIN_VALUE, null, null)));
        inputs.add(WorkloadInput.of(new CostPart("CLOUD", "NVIDIA A100", T0, T0 + 60_000, 68_271, 60_000)));
        inputs.add(WorkloadInput.of(new CostPart("ONPREM", "推理", T0, T0 + 60_000, -5, Long.MAX_VALUE)));
        inputs.add(new WorkloadInput(null, null));
        return inputs;
    }

    @Test
    void anUnknownOrBrokenValueIsAClearErrorNotAWrongState() {
        Serde<GpuDriftState> binary = DriftCodec.gpuState();
        byte[] good = binary.serializer().serialize("t", fed(100, new SplittableRandom(1)));
        byte[] future = good.clone();
        future[0] = 9;
        assertThatThrownBy(() -> binary.deserializer().deserialize("t", future))
                .isInstanceOf(SerializationException.class).hasMessageContaining("unknown layout version 9");
        assertThatThrownBy(() -> binary.deserializer().deserialize("t", Arrays.copyOf(good, good.length - 3)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("GpuDriftState");
        assertThatThrownBy(() -> binary.deserializer().deserialize("t", Arrays.copyOf(good, good.length + 2)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("left over");
        assertThatThrownBy(() -> binary.deserializer().deserialize("t", new byte[0]))
                .isInstanceOf(SerializationException.class).hasMessageContaining("empty");
    }

    private static void assertSame(GpuDriftState actual, GpuDriftState expected) {
        assertThat(actual.utilization).isEqualTo(expected.utilization);
        assertThat(actual.powerPerUtil).isEqualTo(expected.powerPerUtil);
        assertThat(actual.lastSampleTime).isEqualTo(expected.lastSampleTime);
        assertThat(actual.skippedOutOfOrder).isEqualTo(expected.skippedOutOfOrder);
        assertThat(actual.invalidReadings).isEqualTo(expected.invalidReadings);
    }
}
