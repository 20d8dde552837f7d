package io.streamlm.engine;

/** A token the model runner chose for a request, with its log-probability under the sampling distribution. */
record SampledToken(int tokenId, float logprob) {}
