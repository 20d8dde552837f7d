package io.streamlm.engine;

/** Why a request ended. */
public enum FinishReason {
    /** A stop token or stop string was produced. */
    STOP,
    /** maxTokens new tokens were produced, or the context length was reached. */
    LENGTH,
    /** The request's deadline passed before it finished. */
    DEADLINE,
    /** The caller cancelled it. */
    CANCELLED,
    /** It failed; the result carries the message. */
    ERROR
}
