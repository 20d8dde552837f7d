package io.streamlm.backend.cuda;

/** A token chosen on the device and its log-probability under the filtered distribution. */
public record Sampled(int tokenId, float logprob) {}
