package io.streamlm.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Model shapes that {@link RandomCheckpointWriter} can generate. The two real presets copy the text
 * decoder's hyper-parameters from the published {@code config.json} of Qwen/Qwen3.5-0.8B and
 * Qwen/Qwen3.6-27B (the 27B shares the Qwen3.5-27B shape).
 *
 * <p>Verified against public copies of those configs (found with the project's code search, 2026-11-29):
 * 0.8B: hidden 1024, intermediate 3584, 24 layers (interval 4), 8 heads / 2 KV heads, head_dim 256,
 * linear 16 key / 16 value heads of 128, conv kernel 4, vocab 248320, tied embeddings, rope theta
 * 10000000, partial rotary 0.25, mrope_section [11, 11, 10], max positions 262144, eps 1e-6,
 * mtp_num_hidden_layers 1; its vision tower: depth 12, hidden 768, intermediate 3072, 12 heads.
 * 27B: hidden 5120, intermediate 17408, 64 layers (interval 4), 24 heads / 4 KV heads, head_dim 256,
 * linear 16 key / 48 value heads of 128, conv kernel 4, vocab 248320, untied head, same rope; vision
 * tower: depth 27, hidden 1152, intermediate 4304, 16 heads. Not verified: the exact generation_config.json.
 *
 * <p>{@code TINY} is this project's own small hybrid (3:1 layers, grouped value heads, head_dim 64,
 * partial rotary 0.25) sized so the demo runs quickly on two cores.
 */
public enum ModelPreset {
    TINY("tiny", 256, 512, 8, 4, 4, 2, 64, 2, 4, 64, 64, 4, 4096, false, 0, 0, 0, 0),
    QWEN35_0_8B("qwen3.5-0.8b", 1024, 3584, 24, 4, 8, 2, 256, 16, 16, 128, 128, 4, 248_320, true,
            12, 768, 3072, 12),
    QWEN36_27B("qwen3.6-27b", 5120, 17408, 64, 4, 24, 4, 256, 16, 48, 128, 128, 4, 248_320, false,
            27, 1152, 4304, 16);

    public static final double PARTIAL_ROTARY_FACTOR = 0.25;
    public static final long ROPE_THETA = 10_000_000L;
    public static final double RMS_NORM_EPS = 1e-6;
    public static final int MAX_POSITION_EMBEDDINGS = 262_144;

    private final String cliName;
    final int hiddenSize;
    final int intermediateSize;
    final int numLayers;
    final int fullAttentionInterval;
    final int numAttentionHeads;
    final int numKeyValueHeads;
    final int headDim;
    final int linearNumKeyHeads;
    final int linearNumValueHeads;
    final int linearKeyHeadDim;
    final int linearValueHeadDim;
    final int linearConvKernelDim;
    final int vocabSize;
    final boolean tieWordEmbeddings;
    /** The published vision tower's shape, for config.json only: no vision tensors are written. */
    final int visionDepth;
    final int visionHiddenSize;
    final int visionIntermediateSize;
    final int visionNumHeads;

    ModelPreset(String cliName, int hiddenSize, int intermediateSize, int numLayers, int fullAttentionInterval,
            int numAttentionHeads, int numKeyValueHeads, int headDim, int linearNumKeyHeads,
            int linearNumValueHeads, int linearKeyHeadDim, int linearValueHeadDim, int linearConvKernelDim,
            int vocabSize, boolean tieWordEmbeddings, int visionDepth, int visionHiddenSize,
            int visionIntermediateSize, int visionNumHeads) {
        this.cliName = cliName;
        this.hiddenSize = hiddenSize;
        this.intermediateSize = intermediateSize;
        this.numLayers = numLayers;
        this.fullAttentionInterval = fullAttentionInterval;
        this.numAttentionHeads = numAttentionHeads;
        this.numKeyValueHeads = numKeyValueHeads;
        this.headDim = headDim;
        this.linearNumKeyHeads = linearNumKeyHeads;
        this.linearNumValueHeads = linearNumValueHeads;
        this.linearKeyHeadDim = linearKeyHeadDim;
        this.linearValueHeadDim = linearValueHeadDim;
        this.linearConvKernelDim = linearConvKernelDim;
        this.vocabSize = vocabSize;
        this.tieWordEmbeddings = tieWordEmbeddings;
        this.visionDepth = visionDepth;
        this.visionHiddenSize = visionHiddenSize;
        this.visionIntermediateSize = visionIntermediateSize;
        this.visionNumHeads = visionNumHeads;
    }

    /** The name on the command line ({@code --preset qwen3.5-0.8b}). */
    public String cliName() {
        return cliName;
    }

    public int vocabSize() {
        return vocabSize;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public int numLayers() {
        return numLayers;
    }

    public boolean tieWordEmbeddings() {
        return tieWordEmbeddings;
    }

    /** Layer kinds as configuration_qwen3_5.py derives them: every interval-th layer is full attention. */
    public List<LayerType> layerTypes() {
        List<LayerType> types = new ArrayList<>(numLayers);
        for (int i = 0; i < numLayers; i++) {
            types.add((i + 1) % fullAttentionInterval == 0 ? LayerType.FULL_ATTENTION : LayerType.LINEAR_ATTENTION);
        }
        return types;
    }

    public int rotaryDim() {
        return (int) (headDim * PARTIAL_ROTARY_FACTOR);
    }

    public static Optional<ModelPreset> fromCliName(String name) {
        for (ModelPreset p : values()) {
            if (p.cliName.equals(name)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The CLI names, for usage and error messages. */
    public static String cliNames() {
        StringBuilder sb = new StringBuilder();
        for (ModelPreset p : values()) {
            sb.append(sb.length() == 0 ? "" : "|").append(p.cliName);
        }
        return sb.toString();
    }
}
