package costline.streams.breakeven;

import java.util.Arrays;

/**
 * Concurrent GPU demand over a window, as GPU-milliseconds used in each of its equal slots (a minute in the live
 * pipeline, where a CostRecord's gpu_ms / 60,000 is the concurrent GPUs in that minute). Slots with no demand are
 * zeros: the window's length is {@code slots() x slotMs}.
 *
 * <p>Fractional demand is kept: 7.5 GPUs in a slot means the 8th GPU is used half of that slot. So the k-th GPU's
 * use in a slot is {@code clamp(gpuMs - (k - 1) x slotMs, 0, slotMs)} and summing over k gives back the slot's
 * GPU time exactly.
 *
 * @param slotMs      length of one slot, milliseconds
 * @param gpuMsPerSlot GPU-milliseconds used in each slot (each between 0 and a sane maximum)
 */
public record DemandCurve(long slotMs, long[] gpuMsPerSlot) {

    public DemandCurve {
        if (slotMs <= 0) {
            throw new IllegalArgumentException("slot length must be > 0 ms, got " + slotMs);
        }
        if (gpuMsPerSlot.length == 0) {
            throw new IllegalArgumentException("a demand curve needs at least one slot");
        }
        for (long v : gpuMsPerSlot) {
            if (v < 0) {
                throw new IllegalArgumentException("GPU time in a slot cannot be negative: " + v);
            }
        }
        gpuMsPerSlot = gpuMsPerSlot.clone();
    }

    /** A curve of whole GPUs per slot. */
    public static DemandCurve ofGpus(long slotMs, int[] gpus) {
        long[] ms = new long[gpus.length];
        for (int i = 0; i < gpus.length; i++) {
            ms[i] = gpus[i] * slotMs;
        }
        return new DemandCurve(slotMs, ms);
    }

    /** One day in minutes: {@code gpus} busy for {@code busyHours} hours (from midnight), nothing the rest. */
    public static DemandCurve dailyConstant(int gpus, double busyHours) {
        if (busyHours < 0 || busyHours > 24) {
            throw new IllegalArgumentException("busy hours per day must be within 0..24, got " + busyHours);
        }
        int[] minutes = new int[1440];
        long busyMinutes = Math.round(busyHours * 60);
        for (int i = 0; i < busyMinutes; i++) {
            minutes[i] = gpus;
        }
        return ofGpus(60_000L, minutes);
    }

    public int slots() {
        return gpuMsPerSlot.length;
    }

    /** The window's length times the slot: the denominator of f(k), GPU-ms of one GPU busy all the time. */
    public long windowMs() {
        return slotMs * gpuMsPerSlot.length;
    }

    /** Highest demand in any slot, rounded up to whole GPUs: GPUs beyond it are never used. */
    public int maxGpusCeil() {
        long max = Arrays.stream(gpuMsPerSlot).max().orElse(0);
        return (int) ((max + slotMs - 1) / slotMs);
    }

    /**
     * Peak concurrent demand in whole GPUs, each slot's demand rounded half up: a few milliseconds over 8 GPUs
     * (sampling jitter) is a peak of 8, not 9; half a GPU or more counts as one.
     */
    public int peakGpus() {
        long max = Arrays.stream(gpuMsPerSlot).max().orElse(0);
        return (int) ((2 * max + slotMs) / (2 * slotMs));
    }

    /** Total GPU-milliseconds over the window. */
    public long totalGpuMs() {
        long sum = 0;
        for (long v : gpuMsPerSlot) {
            sum = Math.addExact(sum, v);
        }
        return sum;
    }

    /** GPU-ms the k-th GPU (k >= 1) is in use over the window: f(k) x windowMs. */
    public long unitsOfGpu(int k) {
        long floor = (k - 1L) * slotMs;
        long sum = 0;
        for (long v : gpuMsPerSlot) {
            sum += Math.max(0, Math.min(v - floor, slotMs));
        }
        return sum;
    }

    @Override
    public long[] gpuMsPerSlot() {
        return gpuMsPerSlot.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DemandCurve d && d.slotMs == slotMs && Arrays.equals(d.gpuMsPerSlot, gpuMsPerSlot);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(slotMs) * 31 + Arrays.hashCode(gpuMsPerSlot);
    }

    @Override
    public String toString() {
        return "DemandCurve[slotMs=" + slotMs + ", slots=" + gpuMsPerSlot.length + ", peak=" + peakGpus() + "]";
    }
}
