package io.streamlm.engine;

/**
 * The engine's default {@link SamplerFactory}. Greedy decoding is done here; other sampling parameters are
 * rejected until the full {@code Sampler} (penalties, top-k/p, min-p, seeded draws) is wired in.
 */
final class Samplers {
    private Samplers() {}

    static TokenChooser create(SamplingParams params, long seed, int[] promptTokens) {
        if (!params.isGreedy() || params.repetitionPenalty() != 1 || params.presencePenalty() != 0
                || params.frequencyPenalty() != 0) {
            throw new UnsupportedOperationException("only greedy sampling (temperature 0, no penalties) is supported by this build");
        }
        return Samplers::greedy;
    }

    /** Argmax, with the chosen token's log-softmax. */
    static SampledToken greedy(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - logits[best]);
        }
        return new SampledToken(best, (float) -Math.log(sum));
    }
}
