package costline.streams.finance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import costline.streams.config.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OnPremCatalogTest {

    @Test
    void familiesFromTheNamesNvmlAndCloudWatchReport() {
        assertThat(OnPremCatalog.familyOf("NVIDIA A100-SXM4-40GB")).hasValue("A100");
        assertThat(OnPremCatalog.familyOf("NVIDIA H100 80GB HBM3")).hasValue("H100");
        assertThat(OnPremCatalog.familyOf("NVIDIA A10G")).hasValue("A10G");
        assertThat(OnPremCatalog.familyOf("NVIDIA L40S")).hasValue("L40S");
        assertThat(OnPremCatalog.familyOf("Tesla T4")).hasValue("T4");
        assertThat(OnPremCatalog.familyOf("some accelerator")).isEmpty();
    }

    @Test
    void boardPowerFromSettingThenFamilyThenDefault() {
        OnPremCatalog c = new OnPremCatalog(Map.of(), Map.of("NVIDIA L4", 72.0), 300);
        assertThat(c.boardPowerW("NVIDIA L4")).isEqualTo(72);
        assertThat(c.boardPowerW("NVIDIA A100-SXM4-40GB")).isEqualTo(400);
        assertThat(c.boardPowerW("NVIDIA H100 80GB HBM3")).isEqualTo(700);
        assertThat(c.boardPowerW("NVIDIA H100 PCIe")).isEqualTo(350);
        assertThat(c.boardPowerW("NVIDIA A10G")).isEqualTo(300);
    }

    @Test
    void settingsParseAndNameTheKeyWhenWrong() {
        OnPremCatalog c = OnPremCatalog.from(Settings.of(Map.of("onprem.model-map", "NVIDIA A10G=NVIDIA A10; NVIDIA L4=NVIDIA L4 PCIe",
                "onprem.board-power-w", "NVIDIA A10=150")));
        assertThat(c.modelMap()).containsEntry("NVIDIA A10G", "NVIDIA A10").containsEntry("NVIDIA L4", "NVIDIA L4 PCIe");
        assertThat(c.boardPowerW("NVIDIA A10")).isEqualTo(150);
        assertThatThrownBy(() -> OnPremCatalog.from(Settings.of(Map.of("onprem.board-power-w", "NVIDIA A10=lots"))))
                .hasMessageContaining("onprem.board-power-w");
        assertThatThrownBy(() -> OnPremCatalog.from(Settings.of(Map.of("onprem.model-map", "NVIDIA A10G"))))
                .hasMessageContaining("onprem.model-map").hasMessageContaining("name=value");
    }
}
