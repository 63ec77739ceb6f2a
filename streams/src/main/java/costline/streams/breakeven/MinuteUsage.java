package costline.streams.breakeven;

/** Cloud GPU use of one scope and model in one minute: GPU-ms and what it cost, micro-USD. */
public record MinuteUsage(long gpuMs, long costMicroUsd) {

    MinuteUsage plus(long ms, long cost) {
        return new MinuteUsage(Math.addExact(gpuMs, ms), Math.addExact(costMicroUsd, cost));
    }
}
