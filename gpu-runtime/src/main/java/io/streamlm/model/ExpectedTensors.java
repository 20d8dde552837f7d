package io.streamlm.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The decoder tensors a config implies, by name relative to the layout prefix ({@code layers.3.mlp.up_proj.weight})
 * plus {@code lm_head.weight} when the head is untied, with their shapes exactly as transformers' modules
 * declare them (nn.Linear {@code [out, in]}, nn.Conv1d {@code [channels, 1, kernel]}, nn.Embedding
 * {@code [vocab, hidden]}).
 */
final class ExpectedTensors {
    static final String LM_HEAD = "lm_head.weight";

    private ExpectedTensors() {}

    static Map<String, long[]> of(ModelConfig c) {
        long h = c.hiddenSize();
        long inter = c.intermediateSize();
        long valueDim = (long) c.linearNumValueHeads() * c.linearValueHeadDim();
        long qDim = (long) c.numAttentionHeads() * c.headDim();
        Map<String, long[]> e = new LinkedHashMap<>();
        e.put("embed_tokens.weight", shape(c.vocabSize(), h));
        List<LayerType> types = c.layerTypes();
        for (int i = 0; i < types.size(); i++) {
            String p = "layers." + i + ".";
            e.put(p + "input_layernorm.weight", shape(h));
            e.put(p + "post_attention_layernorm.weight", shape(h));
            e.put(p + "mlp.gate_proj.weight", shape(inter, h));
            e.put(p + "mlp.up_proj.weight", shape(inter, h));
            e.put(p + "mlp.down_proj.weight", shape(h, inter));
            if (types.get(i) == LayerType.LINEAR_ATTENTION) {
                String q = p + "linear_attn.";
                e.put(q + "in_proj_qkv.weight", shape(c.linearConvDim(), h));
                e.put(q + "in_proj_z.weight", shape(valueDim, h));
                e.put(q + "in_proj_b.weight", shape(c.linearNumValueHeads(), h));
                e.put(q + "in_proj_a.weight", shape(c.linearNumValueHeads(), h));
                e.put(q + "conv1d.weight", shape(c.linearConvDim(), 1, c.linearConvKernelDim()));
                e.put(q + "dt_bias", shape(c.linearNumValueHeads()));
                e.put(q + "A_log", shape(c.linearNumValueHeads()));
                e.put(q + "norm.weight", shape(c.linearValueHeadDim()));
                e.put(q + "out_proj.weight", shape(h, valueDim));
            } else {
                String q = p + "self_attn.";
                e.put(q + "q_proj.weight", shape(2 * qDim, h)); // per head [query | gate]
                e.put(q + "k_proj.weight", shape(c.kvDim(), h));
                e.put(q + "v_proj.weight", shape(c.kvDim(), h));
                e.put(q + "o_proj.weight", shape(h, qDim));
                e.put(q + "q_norm.weight", shape(c.headDim()));
                e.put(q + "k_norm.weight", shape(c.headDim()));
            }
        }
        e.put("norm.weight", shape(h));
        if (!c.tieWordEmbeddings()) {
            e.put(LM_HEAD, shape(c.vocabSize(), h));
        }
        return e;
    }

    private static long[] shape(long... dims) {
        return dims;
    }
}
