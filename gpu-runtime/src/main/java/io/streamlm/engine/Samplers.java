package io.streamlm.engine;

/** The engine's default {@link SamplerFactory}: one {@link Sampler} per request. */
final class Samplers {
    private Samplers() {}

    static TokenChooser create(SamplingParams params, long seed, int[] promptTokens) {
        Sampler sampler = new Sampler(params, seed, promptTokens);
        return logits -> {
            Sampler.Choice c = sampler.next(logits);
            return new SampledToken(c.tokenId(), c.logprob());
        };
    }
}
