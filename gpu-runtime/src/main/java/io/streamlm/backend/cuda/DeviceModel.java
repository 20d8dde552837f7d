package io.streamlm.backend.cuda;

import io.streamlm.model.DType;
import io.streamlm.model.LayerType;
import io.streamlm.model.LayerWeights;
import io.streamlm.model.ModelConfig;
import io.streamlm.model.ModelWeights;
import io.streamlm.model.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The model's weights in device memory, uploaded once. Projections that read the same input are fused
 * row-wise so one matmul computes them (rows of {@code [out, in]} matrices simply concatenate):
 * full attention q|k|v, Gated DeltaNet qkv|z|b|a, MLP gate|up. Small vectors are f32.
 */
final class DeviceModel implements AutoCloseable {
    /** One decoder layer on the device; matrices are [out, in]. */
    sealed interface Layer permits Linear, Full {
        Buf inputNorm();
        Buf postNorm();
        Buf gateUp();   // [2 * intermediate, hidden]
        Buf down();     // [hidden, intermediate]
    }

    /** Gated DeltaNet layer; in = [qkv (convDim) | z (Hv*dv) | b (Hv) | a (Hv)] x hidden. */
    record Linear(Buf inputNorm, Buf postNorm, Buf gateUp, Buf down, Buf in, Buf outProj, Buf conv1d, Buf dtBias,
                  Buf aLog, Buf norm) implements Layer {}

    /** Full-attention layer; qkv = [q|gate per head (2 * qDim) | k (kvDim) | v (kvDim)] x hidden. */
    record Full(Buf inputNorm, Buf postNorm, Buf gateUp, Buf down, Buf qkv, Buf oProj, Buf qNorm, Buf kNorm)
            implements Layer {}

    final ModelConfig config;
    final Buf embedding; // [vocab, hidden]
    final Buf lmHead;    // [vocab, hidden]; the embedding itself when tied
    final Buf finalNorm; // [hidden]
    final List<Layer> layers;
    private final DeviceOps ops;
    private final List<Buf> owned;

    private DeviceModel(DeviceOps ops, ModelConfig config, Buf embedding, Buf lmHead, Buf finalNorm, List<Layer> layers,
                        List<Buf> owned) {
        this.ops = ops;
        this.config = config;
        this.embedding = embedding;
        this.lmHead = lmHead;
        this.finalNorm = finalNorm;
        this.layers = List.copyOf(layers);
        this.owned = owned;
    }

    /** Uploads checkpoint weights; in {@link Precision#F32} mode non-bf16 matrices stay f32. */
    static DeviceModel upload(DeviceOps ops, ModelWeights w, Precision precision) {
        Uploader up = new Uploader(ops, precision);
        Buf emb = up.matrix("embedding", List.of(w.embedding()));
        Buf head = w.config().tieWordEmbeddings() || w.lmHead() == w.embedding() ? emb : up.matrix("lm_head", List.of(w.lmHead()));
        Buf fin = up.vector("norm", w.finalNorm());
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < w.layers().size(); i++) {
            LayerWeights lw = w.layers().get(i);
            String p = "layers." + i + ".";
            Buf in = up.vector(p + "input_layernorm", lw.inputNorm());
            Buf post = up.vector(p + "post_attention_layernorm", lw.postAttentionNorm());
            Buf gu = up.matrix(p + "mlp.gate|up", List.of(lw.mlp().gate(), lw.mlp().up()));
            Buf down = up.matrix(p + "mlp.down", List.of(lw.mlp().down()));
            if (lw instanceof LayerWeights.LinearAttention la) {
                layers.add(new Linear(in, post, gu, down,
                        up.matrix(p + "linear_attn.qkv|z|b|a", List.of(la.inProjQkv(), la.inProjZ(), la.inProjB(), la.inProjA())),
                        up.matrix(p + "linear_attn.out_proj", List.of(la.outProj())), up.vector(p + "conv1d", la.conv1d()),
                        up.vector(p + "dt_bias", la.dtBias()), up.vector(p + "A_log", la.aLog()), up.vector(p + "norm", la.norm())));
            } else if (lw instanceof LayerWeights.FullAttention fa) {
                layers.add(new Full(in, post, gu, down,
                        up.matrix(p + "self_attn.q|k|v", List.of(fa.qProj(), fa.kProj(), fa.vProj())),
                        up.matrix(p + "self_attn.o_proj", List.of(fa.oProj())), up.vector(p + "q_norm", fa.qNorm()),
                        up.vector(p + "k_norm", fa.kNorm())));
            }
        }
        ops.synchronize();
        return new DeviceModel(ops, w.config(), emb, head, fin, layers, up.owned);
    }

    /**
     * Random bf16 weights at {@code config}'s shapes, generated on the device by a hash (no file, no host
     * copy): matrices uniform with std 1/sqrt(in), zero-centred norms 0, gated norm 1, small conv and gates.
     */
    static DeviceModel dummy(DeviceOps ops, ModelConfig c, long seed) {
        List<Buf> owned = new ArrayList<>();
        long[] counter = {seed};
        java.util.function.BiFunction<long[], float[], Buf> fill = (shape, so) -> {
            Buf.Elem e = shape.length == 2 ? Buf.Elem.BF16 : Buf.Elem.F32;
            long n = shape.length == 2 ? shape[0] * shape[1] : shape[0];
            Buf b = ops.alloc(e, n, "dummy weight");
            ops.initHash(b, n, counter[0]++ * 0x9E3779B97F4A7C15L, so[0], so[1]);
            owned.add(b);
            return b;
        };
        int h = c.hiddenSize(), inter = c.intermediateSize(), hv = c.linearNumValueHeads();
        int convDim = c.linearConvDim(), valueDim = hv * c.linearValueHeadDim(), qDim = c.numAttentionHeads() * c.headDim();
        float sh = (float) Math.sqrt(3.0 / h), si = (float) Math.sqrt(3.0 / inter);
        Buf emb = fill.apply(new long[] {c.vocabSize(), h}, new float[] {0.05f, 0});
        Buf head = c.tieWordEmbeddings() ? emb : fill.apply(new long[] {c.vocabSize(), h}, new float[] {sh, 0});
        Buf fin = fill.apply(new long[] {h}, new float[] {0.1f, 0});
        List<Layer> layers = new ArrayList<>();
        for (LayerType t : c.layerTypes()) {
            Buf in = fill.apply(new long[] {h}, new float[] {0.1f, 0});
            Buf post = fill.apply(new long[] {h}, new float[] {0.1f, 0});
            Buf gu = fill.apply(new long[] {2L * inter, h}, new float[] {sh, 0});
            Buf down = fill.apply(new long[] {h, inter}, new float[] {si, 0});
            if (t == LayerType.LINEAR_ATTENTION) {
                layers.add(new Linear(in, post, gu, down,
                        fill.apply(new long[] {convDim + valueDim + 2L * hv, h}, new float[] {sh, 0}),
                        fill.apply(new long[] {h, valueDim}, new float[] {(float) Math.sqrt(3.0 / valueDim), 0}),
                        fill.apply(new long[] {(long) convDim * c.linearConvKernelDim()}, new float[] {0.5f, 0}),
                        fill.apply(new long[] {hv}, new float[] {0.5f, 0.5f}),
                        fill.apply(new long[] {hv}, new float[] {0.5f, 0f}),
                        fill.apply(new long[] {c.linearValueHeadDim()}, new float[] {0.1f, 1f})));
            } else {
                layers.add(new Full(in, post, gu, down,
                        fill.apply(new long[] {2L * qDim + 2L * c.kvDim(), h}, new float[] {sh, 0}),
                        fill.apply(new long[] {h, qDim}, new float[] {(float) Math.sqrt(3.0 / qDim), 0}),
                        fill.apply(new long[] {c.headDim()}, new float[] {0.1f, 0}),
                        fill.apply(new long[] {c.headDim()}, new float[] {0.1f, 0})));
            }
        }
        ops.synchronize();
        return new DeviceModel(ops, c, emb, head, fin, layers, owned);
    }

    /** Bytes of weights a decode step reads once: every matrix and vector except the embedding table. */
    long weightBytesPerStep() {
        long n = 0;
        for (Buf b : owned) {
            n += b.bytes();
        }
        return embedding == lmHead ? n : n - embedding.bytes();
    }

    @Override
    public void close() {
        for (Buf b : owned) {
            ops.free(b);
        }
        owned.clear();
    }

    /** Copies checkpoint tensors to the device, converting on the host where the device type differs. */
    private static final class Uploader {
        private final DeviceOps ops;
        private final Precision precision;
        final List<Buf> owned = new ArrayList<>();

        Uploader(DeviceOps ops, Precision precision) {
            this.ops = ops;
            this.precision = precision;
        }

        Buf vector(String name, float[] v) {
            Buf b = ops.alloc(Buf.Elem.F32, v.length, name);
            ops.upload(b, v);
            owned.add(b);
            return b;
        }

        /** Row-wise concatenation of {@code parts}, all with the same number of columns. */
        Buf matrix(String name, List<Tensor> parts) {
            int cols = parts.get(0).cols();
            long rows = 0;
            boolean allBf16 = true;
            for (Tensor t : parts) {
                if (t.cols() != cols) {
                    throw new IllegalArgumentException(name + ": fused parts differ in columns: " + t + " vs " + cols);
                }
                rows += t.rows();
                allBf16 &= t.dtype() == DType.BF16;
            }
            Buf.Elem elem = precision == Precision.BF16 || allBf16 ? Buf.Elem.BF16 : Buf.Elem.F32;
            Buf b = ops.alloc(elem, rows * cols, name);
            owned.add(b);
            long row0 = 0;
            for (Tensor t : parts) {
                copy(b.at(row0 * cols), t, elem);
                row0 += t.rows();
            }
            return b;
        }

        private void copy(Buf dst, Tensor t, Buf.Elem elem) {
            int cols = t.cols();
            boolean raw = (elem == Buf.Elem.BF16 && t.dtype() == DType.BF16) || (elem == Buf.Elem.F32 && t.dtype() == DType.F32);
            if (raw) {
                for (long r = 0; r < t.rows(); r += t.rowsPerChunk()) {
                    long n = Math.min(t.rowsPerChunk(), t.rows() - r);
                    ops.uploadRaw(dst.at(r * cols), t.chunkOf(r), n * cols * (long) elem.bytes);
                }
                return;
            }
            int rowsPerStage = (int) Math.max(1, (32L << 20) / ((long) cols * elem.bytes));
            ByteBuffer stage = ByteBuffer.allocateDirect(rowsPerStage * cols * elem.bytes).order(ByteOrder.LITTLE_ENDIAN);
            float[] row = new float[cols];
            for (long r0 = 0; r0 < t.rows(); r0 += rowsPerStage) {
                long n = Math.min(rowsPerStage, t.rows() - r0);
                stage.clear();
                for (long r = r0; r < r0 + n; r++) {
                    t.readRow(r, row, 0);
                    for (float v : row) {
                        if (elem == Buf.Elem.BF16) {
                            stage.putShort(io.streamlm.model.Bf16.fromFloat(v));
                        } else {
                            stage.putFloat(v);
                        }
                    }
                }
                ops.uploadRaw(dst.at(r0 * cols), stage, n * cols * (long) elem.bytes);
            }
        }
    }
}
