package costline.streams.finance;

import costline.events.PriceEntry;
import costline.events.Site;
import costline.streams.config.Setting;
import costline.streams.config.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Which owned GPU would replace a cloud GPU, and what it draws.
 *
 * <p>The on-prem price of a cloud GPU model is found in this order:
 * <ol>
 *   <li>the explicit mapping (cloud model -> on-prem model), giving the key {@code onprem:<on-prem model>};</li>
 *   <li>the same model name: {@code onprem:<cloud model>};</li>
 *   <li>the same GPU family (A100, H100, H200, L40S, A10G, T4, ... taken from the model name): the on-prem entry
 *       with the first key in sort order among those of that family. CloudWatch and NVML spell the same chip
 *       differently ("NVIDIA A100-SXM4-40GB" versus "NVIDIA A100 80GB PCIe"), so a family match is the useful
 *       default; the explicit mapping pins the memory size or form factor when it matters.</li>
 * </ol>
 *
 * <p>Board power (watts drawn while busy) comes from the explicit per-model setting, else a family default
 * from public data sheets (A100 SXM 400 W, H100 SXM 700 W, H100 PCIe 350 W), else {@code defaultBoardPowerW}.
 */
public record OnPremCatalog(Map<String, String> modelMap, Map<String, Double> boardPowerW, double defaultBoardPowerW) {

    public static final String PREFIX = "onprem:";
    private static final Pattern FAMILY = Pattern.compile("(?<![A-Z0-9])([ABHLTV]\\d{1,3}[A-Z]?)(?![0-9])");

    public OnPremCatalog {
        modelMap = Map.copyOf(modelMap);
        boardPowerW = Map.copyOf(boardPowerW);
    }

    public static final Setting MODEL_MAP = Setting.map("onprem.model-map", false,
            "which on-prem GPU model stands for a cloud one (cloud model=on-prem model;...); unmapped models match by name, then family");
    public static final Setting BOARD_POWER_W = Setting.map("onprem.board-power-w", true,
            "board power while busy by on-prem GPU model, watts (model=watts;...); unlisted models: family data sheet, then the default");
    public static final Setting DEFAULT_BOARD_POWER_W = Setting.doubleValue("onprem.default-board-power-w", 400, 1.0, 100_000.0,
            "board power of an on-prem GPU model neither listed nor of a known family, watts");

    /** The onprem.* settings the alert and break-even topologies share. */
    public static final List<Setting> SETTINGS = List.of(MODEL_MAP, BOARD_POWER_W, DEFAULT_BOARD_POWER_W);

    public static OnPremCatalog defaults() {
        return new OnPremCatalog(Map.of(), Map.of(), 400);
    }

    public static OnPremCatalog from(Settings s) {
        return new OnPremCatalog(s.map(MODEL_MAP), s.doubleMap(BOARD_POWER_W), s.doubleValue(DEFAULT_BOARD_POWER_W));
    }

    /** The GPU family in a model name (A100, H100, L40S, ...), or empty. */
    public static Optional<String> familyOf(String model) {
        Matcher m = FAMILY.matcher(model.toUpperCase(Locale.ROOT));
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The on-prem price entry that stands for owning a GPU like {@code cloudModel}, if the catalog has one. */
    public Optional<PriceEntry> resolve(String cloudModel, ReadOnlyKeyValueStore<String, PriceEntry> prices) {
        return resolve(cloudModel, prices::get, () -> {
            List<PriceEntry> onPrem = new ArrayList<>();
            try (KeyValueIterator<String, PriceEntry> it = prices.prefixScan(PREFIX, new StringSerializer())) {
                it.forEachRemaining(kv -> onPrem.add(kv.value));
            }
            return onPrem;
        });
    }

    /**
     * The same rule over any catalog: {@code byPriceKey} looks an entry up by its price key, {@code onPremEntries}
     * lists the on-prem ones (read only when the model needs a family match). Order: the explicit model map, the
     * same model name, then the first priced model of the same family.
     */
    public Optional<PriceEntry> resolve(String cloudModel, Function<String, PriceEntry> byPriceKey,
                                        Supplier<List<PriceEntry>> onPremEntries) {
        String mapped = modelMap.get(cloudModel);
        if (mapped != null) {
            return usable(byPriceKey.apply(PREFIX + mapped));
        }
        Optional<PriceEntry> same = usable(byPriceKey.apply(PREFIX + cloudModel));
        if (same.isPresent()) {
            return same;
        }
        Optional<String> family = familyOf(cloudModel);
        if (family.isEmpty()) {
            return Optional.empty();
        }
        for (PriceEntry entry : onPremEntries.get()) {
            if (usable(entry).isPresent() && family.equals(familyOf(entry.getGpuModel()))) {
                return Optional.of(entry);
            }
        }
        return Optional.empty();
    }

    /** Watts a GPU of this model draws while busy. */
    public double boardPowerW(String model) {
        Double explicit = boardPowerW.get(model);
        if (explicit != null) {
            return explicit;
        }
        String upper = model.toUpperCase(Locale.ROOT);
        String family = familyOf(model).orElse("");
        return switch (family) {
            case "A100" -> 400;
            case "H100" -> upper.contains("PCIE") ? 350 : 700;
            default -> defaultBoardPowerW;
        };
    }

    private static Optional<PriceEntry> usable(PriceEntry e) {
        return e != null && e.getSite() == Site.ONPREM && e.getOnprem() != null ? Optional.of(e) : Optional.empty();
    }
}
