package io.streamlm.engine;

/** Picks a request's next token from its logits row; stateful per request (penalties, random stream). */
@FunctionalInterface
interface TokenChooser {
    SampledToken choose(float[] logits);
}
