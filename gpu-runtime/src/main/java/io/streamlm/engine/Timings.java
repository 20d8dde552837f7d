package io.streamlm.engine;

/**
 * Latencies of one finished request, in nanoseconds.
 *
 * @param queuedNanos           submit until first scheduled
 * @param timeToFirstTokenNanos submit until the first new token
 * @param interTokenNanos       gaps between consecutive new tokens (length generatedTokens - 1)
 * @param totalNanos            submit until finished
 */
public record Timings(long queuedNanos, long timeToFirstTokenNanos, long[] interTokenNanos, long totalNanos) {}
