package costline.streams.cost;

/** The original bytes of a price version the price store refused, on its way to gpu.prices.dlq (reason in headers). */
record PriceDeadLetter(byte[] value) {
}
