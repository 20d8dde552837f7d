package io.streamlm.engine;

/**
 * Token counts of one finished request.
 *
 * @param promptTokens       tokens in the prompt
 * @param cachedPromptTokens prompt tokens served from the prefix cache instead of computed
 * @param generatedTokens    new tokens produced
 */
public record Usage(int promptTokens, int cachedPromptTokens, int generatedTokens) {}
