package costline.collectors.nvml;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.GpuSample;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SampleBuilderEnergyTest {

    static GpuReading reading(Long energyMj) {
        return new GpuReading(0, "GPU-1", "NVIDIA H100 80GB HBM3", 1_000_000L, 50, 10, 1L, 2L, 600_000, energyMj, 50, 1_980,
                List.of(), Map.of(), null, List.of(), null, null, false, Map.of());
    }

    @Test
    void anUnsignedCounterPast2To63IsLeftOutNotSentNegative() {
        SampleBuilder b = new SampleBuilder("node-1");
        // 2^64 - 1000 mJ as NVML's unsigned long long reads into a Java long: -1000
        GpuSample wrapped = b.build(reading(-1_000L), 1_000, List.of());
        assertThat(wrapped.getEnergyCounterMj()).isNull();
        assertThat(wrapped.getPowerW()).isEqualTo(600f);
        assertThat(b.build(reading(Long.MAX_VALUE), 1_000, List.of()).getEnergyCounterMj()).isEqualTo(Long.MAX_VALUE);
        assertThat(b.build(reading(0L), 1_000, List.of()).getEnergyCounterMj()).isZero();
    }
}
