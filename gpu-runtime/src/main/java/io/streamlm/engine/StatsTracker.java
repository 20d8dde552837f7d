package io.streamlm.engine;

/** Builds {@link EngineStats} snapshots; tokens per second over a window of about one second. Engine thread. */
final class StatsTracker {
    private static final long WINDOW_NANOS = 1_000_000_000L;

    private long windowStartNanos = System.nanoTime();
    private long windowTokens;
    private double tokensPerSecond;

    void onStep(int numTokens, long nowNanos) {
        windowTokens += numTokens;
        long elapsed = nowNanos - windowStartNanos;
        if (elapsed >= WINDOW_NANOS) {
            tokensPerSecond = windowTokens * 1e9 / elapsed;
            windowTokens = 0;
            windowStartNanos = nowNanos;
        }
    }

    EngineStats snapshot(Scheduler s) {
        CacheManager c = s.cache();
        SchedulerCounters n = s.counters;
        return new EngineStats(
                s.numWaiting(),
                s.numRunning(),
                c.pool.numUsed(),
                c.pool.numBlocks(),
                s.numSeqSlotsUsed() + c.snapshots.numSlotsUsed(),
                s.numSeqSlots() + c.snapshots.numSlots(),
                n.prefixQueryTokens,
                n.prefixHitTokens,
                n.numPreemptions,
                n.promptTokensComputed,
                n.generatedTokens,
                tokensPerSecond);
    }
}
