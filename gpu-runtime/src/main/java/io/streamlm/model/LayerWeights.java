package io.streamlm.model;

/**
 * One decoder layer's weights, named after the Hugging Face tensors (prefix {@code layers.<i>.}). Matrices
 * stay off-heap ({@link Tensor}, {@code [out, in]} as stored); vectors are small f32 heap arrays.
 */
public sealed interface LayerWeights permits LayerWeights.LinearAttention, LayerWeights.FullAttention {

    /** input_layernorm.weight [hidden], zero-centred (used as 1 + w). */
    float[] inputNorm();

    /** post_attention_layernorm.weight [hidden], zero-centred. */
    float[] postAttentionNorm();

    /** The SwiGLU MLP of this layer. */
    Mlp mlp();

    /**
     * @param gate mlp.gate_proj.weight [intermediate, hidden]
     * @param up   mlp.up_proj.weight   [intermediate, hidden]
     * @param down mlp.down_proj.weight [hidden, intermediate]
     */
    record Mlp(Tensor gate, Tensor up, Tensor down) {}

    /**
     * Gated DeltaNet ({@code linear_attn.}).
     *
     * @param inProjQkv in_proj_qkv.weight [convDim = 2*Hk*dk + Hv*dv, hidden]
     * @param inProjZ   in_proj_z.weight   [Hv*dv, hidden] (output gate)
     * @param inProjB   in_proj_b.weight   [Hv, hidden] (beta = sigmoid(b))
     * @param inProjA   in_proj_a.weight   [Hv, hidden] (decay input)
     * @param conv1d    conv1d.weight [convDim, 1, K] flattened to [convDim * K]
     * @param dtBias    dt_bias [Hv]
     * @param aLog      A_log [Hv]
     * @param norm      norm.weight [dv], plain gated RMSNorm (used as w, not 1 + w)
     * @param outProj   out_proj.weight [hidden, Hv*dv]
     */
    record LinearAttention(
            float[] inputNorm,
            float[] postAttentionNorm,
            Mlp mlp,
            Tensor inProjQkv,
            Tensor inProjZ,
            Tensor inProjB,
            Tensor inProjA,
            float[] conv1d,
            float[] dtBias,
            float[] aLog,
            float[] norm,
            Tensor outProj) implements LayerWeights {}

    /**
     * Gated full attention ({@code self_attn.}).
     *
     * @param qProj q_proj.weight [numHeads * headDim * 2, hidden]: per head [query | gate]
     * @param kProj k_proj.weight [numKvHeads * headDim, hidden]
     * @param vProj v_proj.weight [numKvHeads * headDim, hidden]
     * @param oProj o_proj.weight [hidden, numHeads * headDim]
     * @param qNorm q_norm.weight [headDim], zero-centred
     * @param kNorm k_norm.weight [headDim], zero-centred
     */
    record FullAttention(
            float[] inputNorm,
            float[] postAttentionNorm,
            Mlp mlp,
            Tensor qProj,
            Tensor kProj,
            Tensor vProj,
            Tensor oProj,
            float[] qNorm,
            float[] kNorm) implements LayerWeights {}
}
