package costline.streams.breakeven;

/**
 * When a scope and model was first and last seen, epoch ms: the demand window never starts before the first
 * minute seen, or a pipeline running for two days would read its demand as 28 idle days and 2 busy ones.
 */
public record ScopeSeen(String scope, String gpuModel, long firstMinuteMs, long lastMinuteMs) {
}
