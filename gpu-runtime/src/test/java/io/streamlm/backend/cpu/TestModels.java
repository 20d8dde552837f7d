package io.streamlm.backend.cpu;

import io.streamlm.model.CheckpointLayout;
import io.streamlm.model.DType;
import io.streamlm.model.LayerType;
import io.streamlm.model.LayerWeights;
import io.streamlm.model.ModelConfig;
import io.streamlm.model.ModelWeights;
import io.streamlm.model.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small random models with hand-made configs, for tests that do not need a checkpoint on disk. */
final class TestModels {
    private TestModels() {}

    /** A small hybrid: 4 layers (3 linear + 1 full), grouped value heads, partial RoPE, odd sizes. */
    static ModelConfig smallConfig(boolean tied) {
        return new ModelConfig(CheckpointLayout.CAUSAL, 48, 80, 97,
                List.of(LayerType.LINEAR_ATTENTION, LayerType.FULL_ATTENTION, LayerType.LINEAR_ATTENTION,
                        LayerType.LINEAR_ATTENTION),
                4, 2, 24, 12, 10000.0, 1e-6, 2, 4, 16, 20, 4, tied, 4096);
    }

    static ModelWeights random(ModelConfig c, DType dtype, long seed) {
        Random rnd = new Random(seed);
        int hidden = c.hiddenSize();
        Tensor embedding = matrix("embed_tokens.weight", dtype, c.vocabSize(), hidden, 1.0, rnd);
        Tensor head = c.tieWordEmbeddings() ? embedding
                : matrix("lm_head.weight", dtype, c.vocabSize(), hidden, 1.0 / Math.sqrt(hidden), rnd);
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < c.numLayers(); l++) {
            String p = "layers." + l + ".";
            LayerWeights.Mlp mlp = new LayerWeights.Mlp(
                    proj(p + "mlp.gate_proj.weight", dtype, c.intermediateSize(), hidden, rnd),
                    proj(p + "mlp.up_proj.weight", dtype, c.intermediateSize(), hidden, rnd),
                    proj(p + "mlp.down_proj.weight", dtype, hidden, c.intermediateSize(), rnd));
            float[] in = vector(hidden, 0, 0.1, rnd);
            float[] post = vector(hidden, 0, 0.1, rnd);
            if (c.layerTypes().get(l) == LayerType.LINEAR_ATTENTION) {
                int hv = c.linearNumValueHeads();
                int valueDim = hv * c.linearValueHeadDim();
                float[] aLog = new float[hv];
                float[] dtBias = new float[hv];
                for (int i = 0; i < hv; i++) {
                    aLog[i] = (float) (rnd.nextDouble() * 2 - 1);
                    dtBias[i] = (float) (rnd.nextDouble() * 2 - 1);
                }
                layers.add(new LayerWeights.LinearAttention(in, post, mlp,
                        proj(p + "linear_attn.in_proj_qkv.weight", dtype, c.linearConvDim(), hidden, rnd),
                        proj(p + "linear_attn.in_proj_z.weight", dtype, valueDim, hidden, rnd),
                        proj(p + "linear_attn.in_proj_b.weight", dtype, hv, hidden, rnd),
                        proj(p + "linear_attn.in_proj_a.weight", dtype, hv, hidden, rnd),
                        vector(c.linearConvDim() * c.linearConvKernelDim(), 0, 0.5, rnd),
                        dtBias, aLog, vector(c.linearValueHeadDim(), 1, 0.1, rnd),
                        proj(p + "linear_attn.out_proj.weight", dtype, hidden, valueDim, rnd)));
            } else {
                int qDim = c.numAttentionHeads() * c.headDim();
                layers.add(new LayerWeights.FullAttention(in, post, mlp,
                        proj(p + "self_attn.q_proj.weight", dtype, qDim * 2, hidden, rnd),
                        proj(p + "self_attn.k_proj.weight", dtype, c.kvDim(), hidden, rnd),
                        proj(p + "self_attn.v_proj.weight", dtype, c.kvDim(), hidden, rnd),
                        proj(p + "self_attn.o_proj.weight", dtype, hidden, qDim, rnd),
                        vector(c.headDim(), 0, 0.1, rnd), vector(c.headDim(), 0, 0.1, rnd)));
            }
        }
        return new ModelWeights(c, embedding, head, vector(hidden, 0, 0.1, rnd), layers);
    }

    static Tensor proj(String name, DType dtype, int rows, int cols, Random rnd) {
        return matrix(name, dtype, rows, cols, 1.0 / Math.sqrt(cols), rnd);
    }

    static Tensor matrix(String name, DType dtype, int rows, int cols, double std, Random rnd) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * std);
        }
        return Tensor.fromFloats(name, dtype, new long[] {rows, cols}, v);
    }

    static float[] vector(int n, double mean, double std, Random rnd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (mean + rnd.nextGaussian() * std);
        }
        return v;
    }

    static float[] gaussian(int n, Random rnd) {
        return vector(n, 0, 1, rnd);
    }

    /** max |a - b| / max |a|. */
    static double relDiff(float[] a, float[] b) {
        double maxDiff = 0;
        double maxA = 1e-30;
        for (int i = 0; i < a.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
            maxA = Math.max(maxA, Math.abs(a[i]));
        }
        return maxDiff / maxA;
    }
}
