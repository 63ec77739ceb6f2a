package costline.streams.cost;

/** The original bytes of a sample on its way to the dead-letter topic (the reason travels in the headers). */
record DeadLetter(byte[] value) {
}
