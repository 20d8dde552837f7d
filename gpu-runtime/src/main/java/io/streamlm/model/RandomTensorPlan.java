package io.streamlm.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Every tensor of a random checkpoint: name, dtype, shape, and how to draw its values. Names and shapes
 * follow modeling_qwen3_5.py exactly (nn.Linear is [out, in], conv1d [channels, 1, kernel]); the 15
 * {@code mtp.*} tensors real checkpoints carry are included (a text model skips them).
 *
 * <p>Scales keep activations sane through every layer of a pre-norm residual stack: input projections have
 * std 1/sqrt(fan_in) (unit-RMS outputs on a normalised input); projections that write into the residual
 * stream (o_proj, out_proj, down_proj) are further scaled by 3/sqrt(2 * numLayers) so the stream grows to
 * O(1) over the whole depth rather than O(sqrt(layers)); zero-centred RMSNorm weights (used as 1 + w) are
 * near 0; the gated RMSNorm weight (used as is) is near 1; A_log and dt_bias follow the HF init
 * (A ~ U(0, 16), dt_bias = 1), jittered; the head gives logits of std about {@link #LOGIT_STD}.
 */
final class RandomTensorPlan {
    /** Logit standard deviation on a unit-RMS final hidden state: peaked enough to be non-degenerate. */
    static final double LOGIT_STD = 2.0;
    private static final double NORM_STD = 0.02;
    /**
     * Numerator of the residual projections' extra scale RESIDUAL_GAIN / sqrt(2 * numLayers). With 1 the
     * stream of the 0.8B shape ends at RMS ~0.5 and its tied embedding (RMS 2 / sqrt(1024)) is so large a
     * part of the last hidden state that a token's top logit is often itself (greedy text repeats one
     * token); with 3 the stream ends near 1.5 and that self-bias drops below the spread of the logits.
     */
    private static final double RESIDUAL_GAIN = 3.0;

    /** How to draw a tensor's values. */
    enum Kind { NORMAL, UNIFORM, LOG_UNIFORM }

    /** {@code NORMAL}: mean a, std b; {@code UNIFORM}: [a, b); {@code LOG_UNIFORM}: log of U[a, b). */
    record Init(Kind kind, double a, double b) {
        static Init normal(double mean, double std) {
            return new Init(Kind.NORMAL, mean, std);
        }
    }

    record Spec(String name, DType dtype, long[] shape, Init init) {
        long numElements() {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            return n;
        }

        long numBytes() {
            return numElements() * dtype.sizeBytes();
        }
    }

    private RandomTensorPlan() {}

    /**
     * @param dtype the checkpoint dtype; with BF16, A_log and the gated norm weight are F32 as the
     *              published Qwen3.5 checkpoints store them
     */
    static List<Spec> build(ModelPreset p, CheckpointLayout layout, DType dtype) {
        List<Spec> out = new ArrayList<>();
        String pre = layout.tensorPrefix();
        int h = p.hiddenSize;
        int numV = p.linearNumValueHeads;
        int keyDim = p.linearNumKeyHeads * p.linearKeyHeadDim;
        int valueDim = numV * p.linearValueHeadDim;
        int convDim = 2 * keyDim + valueDim;
        int qDim = p.numAttentionHeads * p.headDim;
        int kvDim = p.numKeyValueHeads * p.headDim;
        double residualGain = RESIDUAL_GAIN / Math.sqrt(2.0 * p.numLayers);
        DType ssm = DType.F32;

        // tied: the embedding is the head, so its rows get the head's scale; untied: unit-ish input rows
        double embedStd = p.tieWordEmbeddings ? LOGIT_STD / Math.sqrt(h) : 1.0;
        out.add(new Spec(pre + "embed_tokens.weight", dtype, shape(p.vocabSize, h), Init.normal(0, embedStd)));
        List<LayerType> types = p.layerTypes();
        for (int i = 0; i < types.size(); i++) {
            String l = pre + "layers." + i + ".";
            out.add(norm(l + "input_layernorm.weight", dtype, h));
            if (types.get(i) == LayerType.LINEAR_ATTENTION) {
                String q = l + "linear_attn.";
                out.add(linear(q + "in_proj_qkv.weight", dtype, convDim, h, 1));
                out.add(linear(q + "in_proj_z.weight", dtype, valueDim, h, 1));
                out.add(linear(q + "in_proj_b.weight", dtype, numV, h, 1));
                out.add(linear(q + "in_proj_a.weight", dtype, numV, h, 1));
                out.add(new Spec(q + "conv1d.weight", dtype, shape(convDim, 1, p.linearConvKernelDim),
                        Init.normal(0, 1.0 / Math.sqrt(p.linearConvKernelDim))));
                out.add(new Spec(q + "dt_bias", dtype, shape(numV), new Init(Kind.UNIFORM, 0.5, 1.5)));
                out.add(new Spec(q + "A_log", ssm, shape(numV), new Init(Kind.LOG_UNIFORM, 0.01, 16)));
                out.add(new Spec(q + "norm.weight", ssm, shape(p.linearValueHeadDim), Init.normal(1, NORM_STD)));
                out.add(linear(q + "out_proj.weight", dtype, h, valueDim, residualGain));
            } else {
                String q = l + "self_attn.";
                out.add(linear(q + "q_proj.weight", dtype, 2 * qDim, h, 1)); // query and output gate
                out.add(linear(q + "k_proj.weight", dtype, kvDim, h, 1));
                out.add(linear(q + "v_proj.weight", dtype, kvDim, h, 1));
                out.add(linear(q + "o_proj.weight", dtype, h, qDim, residualGain));
                out.add(norm(q + "q_norm.weight", dtype, p.headDim));
                out.add(norm(q + "k_norm.weight", dtype, p.headDim));
            }
            out.add(norm(l + "post_attention_layernorm.weight", dtype, h));
            addMlp(out, l + "mlp.", p, dtype, residualGain);
        }
        out.add(norm(pre + "norm.weight", dtype, h));
        if (!p.tieWordEmbeddings) {
            out.add(linear("lm_head.weight", dtype, p.vocabSize, h, LOGIT_STD));
        }
        addMtp(out, p, dtype, qDim, kvDim, residualGain);
        return out;
    }

    private static void addMlp(List<Spec> out, String m, ModelPreset p, DType dtype, double residualGain) {
        out.add(linear(m + "gate_proj.weight", dtype, p.intermediateSize, p.hiddenSize, 1));
        out.add(linear(m + "up_proj.weight", dtype, p.intermediateSize, p.hiddenSize, 1));
        out.add(linear(m + "down_proj.weight", dtype, p.hiddenSize, p.intermediateSize, residualGain));
    }

    /** The multi-token-prediction head as published checkpoints carry it (one full-attention layer). */
    private static void addMtp(List<Spec> out, ModelPreset p, DType dtype, int qDim, int kvDim, double gain) {
        int h = p.hiddenSize;
        out.add(linear("mtp.fc.weight", dtype, h, 2 * h, 1));
        out.add(norm("mtp.norm.weight", dtype, h));
        out.add(norm("mtp.pre_fc_norm_embedding.weight", dtype, h));
        out.add(norm("mtp.pre_fc_norm_hidden.weight", dtype, h));
        String l = "mtp.layers.0.";
        out.add(norm(l + "input_layernorm.weight", dtype, h));
        out.add(norm(l + "post_attention_layernorm.weight", dtype, h));
        out.add(linear(l + "self_attn.q_proj.weight", dtype, 2 * qDim, h, 1));
        out.add(linear(l + "self_attn.k_proj.weight", dtype, kvDim, h, 1));
        out.add(linear(l + "self_attn.v_proj.weight", dtype, kvDim, h, 1));
        out.add(linear(l + "self_attn.o_proj.weight", dtype, h, qDim, gain));
        out.add(norm(l + "self_attn.q_norm.weight", dtype, p.headDim));
        out.add(norm(l + "self_attn.k_norm.weight", dtype, p.headDim));
        addMlp(out, l + "mlp.", p, dtype, gain);
    }

    private static Spec linear(String name, DType dtype, int outFeatures, int inFeatures, double gain) {
        return new Spec(name, dtype, shape(outFeatures, inFeatures), Init.normal(0, gain / Math.sqrt(inFeatures)));
    }

    /** A zero-centred RMSNorm weight: the model multiplies by (1 + w). */
    private static Spec norm(String name, DType dtype, int n) {
        return new Spec(name, dtype, shape(n), Init.normal(0, NORM_STD));
    }

    private static long[] shape(long... dims) {
        return dims;
    }
}
