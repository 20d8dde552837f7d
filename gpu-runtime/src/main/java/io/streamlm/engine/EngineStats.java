package io.streamlm.engine;

/**
 * A snapshot of the engine.
 *
 * @param numWaiting            requests waiting to be scheduled
 * @param numRunning            requests scheduled in the last step
 * @param kvBlocksUsed          KV blocks referenced by running requests or state snapshots (cached prefix
 *                              blocks nobody references are reusable, so they count as free)
 * @param kvBlocksTotal         KV blocks in the pool
 * @param stateSlotsUsed        recurrent-state slots in use (sequences and snapshots)
 * @param stateSlotsTotal       recurrent-state slots in the pool
 * @param prefixQueryTokens     prompt tokens looked up in the prefix cache, since start
 * @param prefixHitTokens       of those, tokens served from the cache
 * @param numPreemptions        preemptions since start
 * @param promptTokensComputed  prompt tokens computed since start
 * @param generatedTokens       tokens generated since start
 * @param tokensPerSecond       tokens (prompt + generated) computed per second over the recent window
 */
public record EngineStats(
        int numWaiting,
        int numRunning,
        int kvBlocksUsed,
        int kvBlocksTotal,
        int stateSlotsUsed,
        int stateSlotsTotal,
        long prefixQueryTokens,
        long prefixHitTokens,
        long numPreemptions,
        long promptTokensComputed,
        long generatedTokens,
        double tokensPerSecond) {

    public double prefixHitRate() {
        return prefixQueryTokens == 0 ? 0 : (double) prefixHitTokens / prefixQueryTokens;
    }
}
