package io.streamlm.model;

import java.nio.file.Path;
import java.util.List;

/**
 * The text decoder's hyper-parameters, read from a Hugging Face {@code config.json} in either layout
 * (nested {@code text_config} of {@code Qwen3_5ForConditionalGeneration}, or flat
 * {@code Qwen3_5ForCausalLM}). Every shape the runtime uses comes from here.
 *
 * @param layout               which on-disk layout the checkpoint uses (decides tensor name prefixes)
 * @param hiddenSize           model width
 * @param intermediateSize     SwiGLU hidden width
 * @param vocabSize            rows of the embedding and the head
 * @param layerTypes           one entry per decoder layer
 * @param numAttentionHeads    query heads of full-attention layers
 * @param numKeyValueHeads     KV heads of full-attention layers (GQA)
 * @param headDim              head dimension of full-attention layers
 * @param rotaryDim            leading channels of each head that RoPE rotates (head_dim * partial factor)
 * @param ropeTheta            RoPE base
 * @param rmsNormEps           epsilon of every RMSNorm
 * @param linearNumKeyHeads    Gated DeltaNet q/k heads
 * @param linearNumValueHeads  Gated DeltaNet value heads (a multiple of the key heads: grouped values)
 * @param linearKeyHeadDim     Gated DeltaNet q/k head dimension
 * @param linearValueHeadDim   Gated DeltaNet value head dimension
 * @param linearConvKernelDim  causal conv1d kernel width
 * @param tieWordEmbeddings    whether the head is the embedding matrix
 * @param maxPositionEmbeddings context length
 */
public record ModelConfig(
        CheckpointLayout layout,
        int hiddenSize,
        int intermediateSize,
        int vocabSize,
        List<LayerType> layerTypes,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        int rotaryDim,
        double ropeTheta,
        double rmsNormEps,
        int linearNumKeyHeads,
        int linearNumValueHeads,
        int linearKeyHeadDim,
        int linearValueHeadDim,
        int linearConvKernelDim,
        boolean tieWordEmbeddings,
        int maxPositionEmbeddings) {

    public ModelConfig {
        layerTypes = List.copyOf(layerTypes);
    }

    /**
     * Reads {@code config.json} from a checkpoint directory (either layout).
     *
     * @throws CheckpointException naming the file and key when the config is missing, malformed, or asks for
     *                             something this runtime does not compute (another architecture, rope type,
     *                             activation, attention bias)
     */
    public static ModelConfig load(Path checkpointDir) {
        return ConfigJson.load(checkpointDir);
    }

    public int numLayers() {
        return layerTypes.size();
    }

    public int numFullAttentionLayers() {
        return (int) layerTypes.stream().filter(t -> t == LayerType.FULL_ATTENTION).count();
    }

    public int numLinearAttentionLayers() {
        return numLayers() - numFullAttentionLayers();
    }

    /** Width of one token's K (or V) in a full-attention layer. */
    public int kvDim() {
        return numKeyValueHeads * headDim;
    }

    /** Channels of the Gated DeltaNet conv1d: q, k and v concatenated. */
    public int linearConvDim() {
        return 2 * linearNumKeyHeads * linearKeyHeadDim + linearNumValueHeads * linearValueHeadDim;
    }
}
