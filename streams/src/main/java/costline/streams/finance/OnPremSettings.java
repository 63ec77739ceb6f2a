package costline.streams.finance;

import java.util.Map;

/**
 * Reads the {@code onprem.*} settings shared by the alert and break-even topologies into an {@link OnPremCatalog}:
 * {@code onprem.model-map} (cloud model=on-prem model;...), {@code onprem.board-power-w} (model=watts;...),
 * {@code onprem.default-board-power-w} (default 400).
 */
public final class OnPremSettings {

    private OnPremSettings() {
    }

    public static OnPremCatalog from(Map<String, String> values) {
        Settings s = new Settings(values);
        return new OnPremCatalog(s.map("onprem.model-map"), s.doubleMap("onprem.board-power-w"),
                s.positiveDouble("onprem.default-board-power-w", OnPremCatalog.defaults().defaultBoardPowerW()));
    }
}
