package io.streamlm.model;

/** The two decoder layer kinds of the Qwen3.5 / Qwen3.6 hybrid, as {@code layer_types} names them. */
public enum LayerType {
    /** Gated DeltaNet: causal conv1d + gated delta rule; fixed-size recurrent state per sequence. */
    LINEAR_ATTENTION("linear_attention"),
    /** Gated full attention (GQA, QK-norm, partial RoPE, sigmoid output gate); keeps a KV cache. */
    FULL_ATTENTION("full_attention");

    private final String configName;

    LayerType(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }
}
