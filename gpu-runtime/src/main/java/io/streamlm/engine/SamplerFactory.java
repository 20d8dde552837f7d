package io.streamlm.engine;

/** Makes a request's {@link TokenChooser}; the seed is the request's own or derived from its id. */
@FunctionalInterface
interface SamplerFactory {
    TokenChooser create(SamplingParams params, long seed, int[] promptTokens);
}
