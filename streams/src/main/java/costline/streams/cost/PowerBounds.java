package costline.streams.cost;

import java.util.List;
import java.util.Locale;

/**
 * The most power one GPU can plausibly draw, by model: its board power limit (TDP) with half again on top for
 * transient peaks that an instantaneous NVML or CloudWatch reading can catch. A reading above it is a unit error or
 * a broken sensor (1,000,000,000 W was once costed at $2,800 a GPU-minute), not energy to bill. Models are matched
 * by the first family name found in the reported model name; an unknown model gets {@link #GLOBAL_MAX_W}.
 */
public final class PowerBounds {

    /** Bound of a model not listed: above the largest board power of any GPU on sale (GB200's 1,200 W) x 1.5. */
    public static final float GLOBAL_MAX_W = 2_000f;
    /** Headroom over the board power limit for transient peaks. */
    static final float PEAK_FACTOR = 1.5f;

    private record Family(String match, float boardPowerW) {
    }

    // Board power limits of the SXM (highest) variant of each family, W; longest names first where one holds another.
    private static final List<Family> FAMILIES = List.of(
            new Family("GB200", 1_200), new Family("GH200", 1_000), new Family("B200", 1_000), new Family("B100", 700),
            new Family("H200", 700), new Family("H100", 700), new Family("A100", 400), new Family("A10G", 300),
            new Family("A10", 150), new Family("L40S", 350), new Family("L40", 300), new Family("L4", 72),
            new Family("V100", 300), new Family("T4", 70), new Family("MI300", 750));

    private PowerBounds() {
    }

    /** Bounds of models asked for, by a slot of the name's hash: a fleet has a few models, and the meter asks per sample. */
    private record Known(String model, float maxW) {
    }

    private static final Known[] KNOWN = new Known[16];

    /** The plausible maximum draw of one GPU of {@code model}, W. */
    public static float maxWatts(String model) {
        if (model == null) {
            return GLOBAL_MAX_W;
        }
        int slot = model.hashCode() & (KNOWN.length - 1);
        Known k = KNOWN[slot]; // immutable: a thread sees it whole, or the one before
        if (k != null && model.equals(k.model())) {
            return k.maxW();
        }
        float w = lookUp(model);
        KNOWN[slot] = new Known(model, w);
        return w;
    }

    private static float lookUp(String model) {
        if (model != null) {
            String m = model.toUpperCase(Locale.ROOT);
            for (Family f : FAMILIES) {
                if (m.contains(f.match())) {
                    return f.boardPowerW() * PEAK_FACTOR;
                }
            }
        }
        return GLOBAL_MAX_W;
    }
}
