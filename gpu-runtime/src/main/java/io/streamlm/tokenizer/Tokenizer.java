package io.streamlm.tokenizer;

import io.streamlm.engine.ChatMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * Text to token ids and back for one checkpoint, read from its Hugging Face {@code tokenizer.json} and
 * {@code tokenizer_config.json}. Implementations are immutable and safe to share between threads.
 */
public interface Tokenizer {

    /**
     * Loads {@code tokenizer.json} (required) and {@code tokenizer_config.json} (optional: chat template and
     * eos token) from a checkpoint directory.
     *
     * @throws UncheckedIOException if a file cannot be read
     * @throws IllegalArgumentException naming the file and field when the content is not a supported tokenizer
     */
    static Tokenizer load(Path modelDir) {
        try {
            return BpeTokenizer.load(modelDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer from " + modelDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Token ids of {@code text}, without BOS or any post-processing; special and added token strings found in
     * the text map to their ids. Never truncates.
     */
    int[] encode(String text);

    /** Text of the ids, special tokens included; invalid UTF-8 byte runs become U+FFFD. */
    String decode(int[] ids);

    /** Number of token ids: one more than the largest id in the vocabulary or the added tokens. */
    int vocabSize();

    /** A fresh incremental decoder for one output stream. */
    StreamDecoder newStreamDecoder();

    /** The prompt the checkpoint's chat template renders for plain system/user/assistant turns. */
    String renderChat(List<ChatMessage> messages, boolean addGenerationPrompt);

    /** Ids that end generation: tokenizer_config's eos_token, plus {@code <|im_end|>} and {@code <|endoftext|>} when present. */
    List<Integer> eosTokenIds();

    /** The id of a vocabulary or added token given by its exact string, if there is one. */
    OptionalInt tokenId(String token);
}
