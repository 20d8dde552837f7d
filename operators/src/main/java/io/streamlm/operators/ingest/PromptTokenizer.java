package io.streamlm.operators.ingest;

import io.streamlm.engine.ChatMessage;
import java.io.Serializable;
import java.util.List;

/**
 * The tokenizer as the ingest step needs it. An interface so the step can be unit-tested without a model;
 * {@link ModelPromptTokenizer} is the real one.
 */
public interface PromptTokenizer extends Serializable {

    /** Loads what it needs (called once per subtask, on the TaskManager). */
    void open() throws Exception;

    int[] encode(String text);

    String renderChat(List<ChatMessage> messages);

    int vocabSize();

    /** The model's end-of-sequence token ids: generation from a text prompt stops at them. */
    int[] eosTokenIds();

    /** The model's context length in tokens. */
    int contextLength();
}
