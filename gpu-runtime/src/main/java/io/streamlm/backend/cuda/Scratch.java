package io.streamlm.backend.cuda;

import io.streamlm.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/** Activation buffers of one forward step for up to {@code numTokens} tokens and {@code numRows} logits rows. */
final class Scratch {
    final int numTokens;
    final int numRows;
    final Buf x;      // [T, hidden] residual stream
    final Buf h;      // [T, hidden] normed input of the current block
    final Buf y;      // [T, widest fused projection]
    final Buf conv;   // [T, convDim] conv1d + SiLU output
    final Buf core;   // [T, Hv * dv] delta-rule output
    final Buf mid;    // [T, max(intermediate, Hv * dv, heads * headDim)] input of the down/out projections
    final Buf q;      // [T, heads * headDim] normed + rotated queries
    final Buf beta;   // [T, Hv]
    final Buf g;      // [T, Hv]
    final Buf xl;     // [R, hidden] rows whose logits are wanted
    final Buf logits; // [R, vocab]
    private Buf meta; // StepMeta.packed, int32; grown on demand (block tables vary with context length)
    private final List<Buf> all = new ArrayList<>();

    Scratch(DeviceOps ops, ModelConfig c, int numTokens, int numRows) {
        this.numTokens = numTokens;
        this.numRows = numRows;
        long t = numTokens;
        int hv = c.linearNumValueHeads(), valueDim = hv * c.linearValueHeadDim();
        int qDim = c.numAttentionHeads() * c.headDim();
        long widest = Math.max(2L * c.intermediateSize(),
                Math.max(c.linearConvDim() + valueDim + 2L * hv, 2L * qDim + 2L * c.kvDim()));
        long midWidth = Math.max(c.intermediateSize(), Math.max(valueDim, qDim));
        x = f32(ops, t * c.hiddenSize());
        h = f32(ops, t * c.hiddenSize());
        y = f32(ops, t * widest);
        conv = f32(ops, t * Math.max(1, c.linearConvDim()));
        core = f32(ops, t * Math.max(1, valueDim));
        mid = f32(ops, t * midWidth);
        q = f32(ops, t * qDim);
        beta = f32(ops, t * Math.max(1, hv));
        g = f32(ops, t * Math.max(1, hv));
        xl = f32(ops, (long) numRows * c.hiddenSize());
        logits = f32(ops, (long) numRows * c.vocabSize());
    }

    /** A device buffer of at least {@code length} int32 for the step metadata. */
    Buf meta(DeviceOps ops, int length) {
        if (meta == null || meta.length() < length) {
            if (meta != null) {
                ops.free(meta);
            }
            meta = ops.alloc(Buf.Elem.I32, Math.max(1024, 2L * length), "step metadata");
        }
        return meta;
    }

    private Buf f32(DeviceOps ops, long n) {
        Buf b = ops.alloc(Buf.Elem.F32, Math.max(1, n), "activations");
        all.add(b);
        return b;
    }

    void free(DeviceOps ops) {
        all.forEach(ops::free);
        all.clear();
        if (meta != null) {
            ops.free(meta);
            meta = null;
        }
    }
}
