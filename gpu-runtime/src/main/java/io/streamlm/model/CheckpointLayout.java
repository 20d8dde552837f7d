package io.streamlm.model;

/** The two Hugging Face layouts of Qwen3.5 / Qwen3.6 text checkpoints found in the wild. */
public enum CheckpointLayout {
    /** {@code Qwen3_5ForConditionalGeneration}: nested text_config, tensors under {@code model.language_model.}. */
    CONDITIONAL("model.language_model."),
    /** {@code Qwen3_5ForCausalLM}: flat config, tensors under {@code model.}. */
    CAUSAL("model.");

    private final String tensorPrefix;

    CheckpointLayout(String tensorPrefix) {
        this.tensorPrefix = tensorPrefix;
    }

    /** Prefix of decoder tensor names ({@code lm_head.weight} has none). */
    public String tensorPrefix() {
        return tensorPrefix;
    }
}
