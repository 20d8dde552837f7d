package io.streamlm.backend.cuda;

import io.streamlm.engine.SamplingParams;

/**
 * How to sample one logits row on the device.
 *
 * @param params        temperature, top-k, top-p, min-p and penalties
 * @param seed          the request's seed (Philox key)
 * @param step          tokens this request has sampled so far (Philox counter), so draws never repeat
 * @param penaltyIds    distinct token ids seen in prompt or output
 * @param penaltyCounts occurrences of each in the output (0: prompt only)
 */
public record SampleRow(SamplingParams params, long seed, long step, int[] penaltyIds, int[] penaltyCounts) {
    public SampleRow {
        if (penaltyIds.length != penaltyCounts.length) {
            throw new IllegalArgumentException("penaltyIds (" + penaltyIds.length + ") and penaltyCounts ("
                    + penaltyCounts.length + ") differ in length");
        }
    }

    /** Greedy, no penalties. */
    public static SampleRow greedy() {
        return new SampleRow(SamplingParams.greedy(1), 0, 0, new int[0], new int[0]);
    }
}
