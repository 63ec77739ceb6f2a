package costline.streams.cost;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PowerBoundsTest {

    @Test
    void theFamilyInTheModelNameSetsTheBoundAndAnUnknownModelGetsTheGlobalOne() {
        assertThat(PowerBounds.maxWatts("NVIDIA H100 80GB HBM3")).isEqualTo(1_050f);
        assertThat(PowerBounds.maxWatts("NVIDIA GH200 480GB")).isEqualTo(1_500f);
        assertThat(PowerBounds.maxWatts("NVIDIA A100-SXM4-40GB")).isEqualTo(600f);
        assertThat(PowerBounds.maxWatts("NVIDIA A10G")).isEqualTo(450f);
        assertThat(PowerBounds.maxWatts("NVIDIA A10")).isEqualTo(225f);
        assertThat(PowerBounds.maxWatts("NVIDIA L4")).isEqualTo(108f);
        assertThat(PowerBounds.maxWatts("NVIDIA L40S")).isEqualTo(525f);
        assertThat(PowerBounds.maxWatts("Tesla T4")).isEqualTo(105f);
        assertThat(PowerBounds.maxWatts("Acme Tensor X1")).isEqualTo(PowerBounds.GLOBAL_MAX_W);
        assertThat(PowerBounds.maxWatts(null)).isEqualTo(PowerBounds.GLOBAL_MAX_W);
    }
}
