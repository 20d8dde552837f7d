package io.streamlm.engine;

/** Cumulative scheduler counts behind {@link EngineStats}; engine thread only. */
final class SchedulerCounters {
    long prefixQueryTokens;
    long prefixHitTokens;
    long numPreemptions;
    long promptTokensComputed;
    long generatedTokens;
    long computedTokens;
    int numLastScheduled;

    /** The first admission is the prefix-cache query of a request; re-admissions after preemption are not. */
    void countAdmission(Request r, int resumePos) {
        if (!r.admittedOnce) {
            r.admittedOnce = true;
            r.numCachedPromptTokens = Math.min(resumePos, r.numPromptTokens);
            prefixQueryTokens += r.numPromptTokens;
            prefixHitTokens += r.numCachedPromptTokens;
        }
    }

    void countComputed(Request r, int start, int end) {
        computedTokens += end - start;
        promptTokensComputed += Math.max(0, Math.min(end, r.numPromptTokens) - Math.min(start, r.numPromptTokens));
    }
}
