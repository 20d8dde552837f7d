package io.streamlm.operators.ingest;

import io.streamlm.engine.ChatMessage;
import io.streamlm.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.List;

/** The checkpoint's own tokenizer (tokenizer.json + chat template), loaded on the TaskManager. */
public final class ModelPromptTokenizer implements PromptTokenizer {
    private final String modelDir;
    private final int contextLength;
    private transient Tokenizer tokenizer;

    /**
     * @param modelDir      the checkpoint directory (read on the TaskManager: must be reachable there)
     * @param contextLength the model's context length (max_position_embeddings), read when the job was built
     */
    public ModelPromptTokenizer(Path modelDir, int contextLength) {
        this.modelDir = modelDir.toString();
        this.contextLength = contextLength;
    }

    @Override
    public void open() {
        tokenizer = Tokenizer.load(Path.of(modelDir));
    }

    @Override
    public int[] encode(String text) {
        return tokenizer.encode(text);
    }

    @Override
    public String renderChat(List<ChatMessage> messages) {
        return tokenizer.renderChat(messages, true);
    }

    @Override
    public int vocabSize() {
        return tokenizer.vocabSize();
    }

    @Override
    public int[] eosTokenIds() {
        return tokenizer.eosTokenIds().stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public int contextLength() {
        return contextLength;
    }
}
