package io.streamlm.backend.cuda;

import io.streamlm.backend.CacheLayout;
import io.streamlm.backend.SeqChunk;
import io.streamlm.model.LayerType;
import io.streamlm.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * One batched forward step as a sequence of device operations: the same decomposition on the GPU
 * ({@link CudaOps}) and on the CPU twin (tests). Owns the cache memory and the step's scratch buffers.
 *
 * <p>Cache memory: per full-attention layer a K and a V pool [numKvBlocks, blockSize, numKvHeads, headDim]
 * f32; one state pool [numStateSlots, slotElems] f32 where a slot holds, per Gated DeltaNet layer in order,
 * its conv state [K-1, convDim] then its delta-rule state [Hv, dk, dv], so a snapshot is one contiguous copy.
 */
final class ForwardPass implements AutoCloseable {
    private final DeviceOps ops;
    private final DeviceModel model;
    private final ModelConfig c;
    private final Precision precision;
    private final Buf invFreq;                 // [rotaryDim / 2] f64
    private final int convStateElems;          // per linear layer: (K-1) * convDim
    private final int layerStateElems;         // per linear layer: conv + Hv * dk * dv
    private final long slotElems;              // per slot: all linear layers
    private CacheLayout layout;
    private final List<Buf> kCaches = new ArrayList<>(); // per full layer [numKvBlocks * blockSize * kvDim]
    private final List<Buf> vCaches = new ArrayList<>();
    private Buf states;                        // [numStateSlots * slotElems]
    private Scratch scratch;

    ForwardPass(DeviceOps ops, DeviceModel model, Precision precision) {
        this.ops = ops;
        this.model = model;
        this.c = model.config;
        this.precision = precision;
        int rd = c.rotaryDim();
        double[] f = new double[Math.max(1, rd / 2)];
        for (int i = 0; i < rd / 2; i++) {
            f[i] = 1.0 / Math.pow(c.ropeTheta(), (2.0 * i) / rd); // Qwen3_5TextRotaryEmbedding, in f64 as the reference
        }
        invFreq = ops.alloc(Buf.Elem.F64, f.length, "rope inv_freq");
        ops.upload(invFreq, f);
        convStateElems = (c.linearConvKernelDim() - 1) * c.linearConvDim();
        layerStateElems = convStateElems + c.linearNumValueHeads() * c.linearKeyHeadDim() * c.linearValueHeadDim();
        slotElems = (long) c.numLinearAttentionLayers() * layerStateElems;
        AttentionLauncher.checkHeadDim(c.headDim());
    }

    long kvBlockBytes(int blockSize) {
        return 2L * c.numFullAttentionLayers() * blockSize * c.kvDim() * 4;
    }

    long stateSlotBytes() {
        return slotElems * 4;
    }

    void allocateCaches(CacheLayout l) {
        freeCaches();
        long kvElems = (long) l.numKvBlocks() * l.blockSize() * c.kvDim();
        for (int i = 0; i < c.numFullAttentionLayers(); i++) {
            kCaches.add(ops.alloc(Buf.Elem.F32, kvElems, "K cache"));
            vCaches.add(ops.alloc(Buf.Elem.F32, kvElems, "V cache"));
        }
        states = ops.alloc(Buf.Elem.F32, Math.max(1, slotElems * l.numStateSlots()), "recurrent states");
        ops.zero(states, states.length());
        for (Buf b : kCaches) {
            ops.zero(b, b.length());
        }
        for (Buf b : vCaches) {
            ops.zero(b, b.length());
        }
        layout = l;
    }

    private CacheLayout layout() {
        if (layout == null) {
            throw new IllegalStateException("allocateCaches must be called before forward/copyState/resetState");
        }
        return layout;
    }

    void copyState(int src, int dst) {
        checkSlot(src);
        checkSlot(dst);
        if (src != dst && slotElems > 0) {
            ops.copy(states.at(dst * slotElems), states.at(src * slotElems), slotElems);
        }
    }

    void copyKvBlock(int src, int dst) {
        CacheLayout l = layout();
        for (int b : new int[] {src, dst}) {
            if (b < 0 || b >= l.numKvBlocks()) {
                throw new IllegalArgumentException("KV block " + b + " outside [0, " + l.numKvBlocks() + ")");
            }
        }
        long blockElems = (long) l.blockSize() * c.kvDim();
        for (List<Buf> pool : List.of(kCaches, vCaches)) {
            for (Buf cache : pool) {
                ops.copy(cache.at(dst * blockElems), cache.at(src * blockElems), blockElems);
            }
        }
    }

    void resetState(int slot) {
        checkSlot(slot);
        if (slotElems > 0) {
            ops.zero(states.at(slot * slotElems), slotElems);
        }
    }

    private void checkSlot(int slot) {
        if (slot < 0 || slot >= layout().numStateSlots()) {
            throw new IllegalArgumentException("state slot " + slot + " outside [0, " + layout().numStateSlots() + ")");
        }
    }

    /** Runs the layers; returns the device buffer of logits [numLogitRows, vocab] (valid until the next step). */
    Buf run(List<SeqChunk> chunks, StepMeta m) {
        CacheLayout l = layout();
        Scratch s = scratch(m.numTokens, Math.max(1, m.numLogitRows));
        Buf meta = s.meta(ops, m.packed.length);
        ops.upload(meta, m.packed);
        m.bind(meta);
        int t = m.numTokens, h = c.hiddenSize();
        float eps = (float) c.rmsNormEps();
        ops.embeddingGather(s.x, model.embedding, m.ids, t, c.vocabSize(), h);
        int full = 0, lin = 0;
        for (DeviceModel.Layer layer : model.layers) {
            ops.rmsnormZc(s.h, h, s.x, h, layer.inputNorm(), t, h, eps);
            if (layer instanceof DeviceModel.Linear la) {
                linear(la, lin++, m, s);
            } else {
                attention((DeviceModel.Full) layer, full++, m, s, l.blockSize());
            }
            ops.rmsnormZc(s.h, h, s.x, h, layer.postNorm(), t, h, eps);
            int inter = c.intermediateSize();
            ops.matmul(s.y, 2 * inter, s.h, h, layer.gateUp(), t, 2 * inter, h, false, precision);
            ops.swiglu(s.mid, s.y, 2 * inter, t, inter);
            ops.matmul(s.x, h, s.mid, inter, layer.down(), t, h, inter, true, precision);
        }
        int r = m.numLogitRows;
        if (r > 0) {
            ops.gatherRows(s.xl, s.x, m.logitRows, r, h);
            ops.rmsnormZc(s.xl, h, s.xl, h, model.finalNorm, r, h, eps);
            ops.matmul(s.logits, c.vocabSize(), s.xl, h, model.lmHead, r, c.vocabSize(), h, false, precision);
        }
        return s.logits;
    }

    private void linear(DeviceModel.Linear w, int li, StepMeta m, Scratch s) {
        int t = m.numTokens, h = c.hiddenSize(), hv = c.linearNumValueHeads(), dv = c.linearValueHeadDim();
        int convDim = c.linearConvDim(), valueDim = hv * dv;
        int n = convDim + valueDim + 2 * hv; // y = [qkv | z | b | a]
        ops.matmul(s.y, n, s.h, h, w.in(), t, n, h, false, precision);
        ops.gdnGates(s.beta, s.g, s.y.at(convDim + valueDim), s.y.at(convDim + valueDim + hv), n, w.aLog(), w.dtBias(), t, hv);
        Buf layerState = states.at((long) li * layerStateElems);
        ops.causalConv1d(s.conv, s.y, n, w.conv1d(), layerState, slotElems, m, convDim, c.linearConvKernelDim());
        ops.gdnRecurrent(s.core, s.conv, s.beta, s.g, layerState.at(convStateElems), slotElems, m, c.linearNumKeyHeads(),
                hv, c.linearKeyHeadDim(), dv);
        ops.rmsnormGated(s.mid, s.core, s.y.at(convDim), n, w.norm(), t, hv, dv, (float) c.rmsNormEps());
        ops.matmul(s.x, h, s.mid, valueDim, w.outProj(), t, h, valueDim, true, precision);
    }

    private void attention(DeviceModel.Full w, int fi, StepMeta m, Scratch s, int blockSize) {
        int t = m.numTokens, h = c.hiddenSize(), nh = c.numAttentionHeads(), nkv = c.numKeyValueHeads(), hd = c.headDim();
        int qDim = nh * hd, kvDim = c.kvDim();
        int n = 2 * qDim + 2 * kvDim; // y = [per head (query | gate) | k | v]
        ops.matmul(s.y, n, s.h, h, w.qkv(), t, n, h, false, precision);
        ops.qkNormRope(s.q, s.y, n, 2 * qDim, m.tokPos, invFreq, w.qNorm(), w.kNorm(), t, nh, nkv, hd, c.rotaryDim(),
                (float) c.rmsNormEps());
        Buf kc = kCaches.get(fi), vc = vCaches.get(fi);
        ops.kvCacheWrite(kc, vc, s.y.at(2 * qDim), s.y.at(2 * qDim + kvDim), n, m, blockSize, nkv, hd);
        float scale = (float) (1.0 / Math.sqrt(hd));
        if (m.maxChunkLen <= 2) {
            ops.attentionDecode(s.mid, s.q, kc, vc, m, blockSize, nh, nkv, hd, scale);
        } else {
            ops.attentionPrefill(s.mid, s.q, kc, vc, m, blockSize, nh, nkv, hd, scale);
        }
        ops.sigmoidGateMul(s.mid, s.y.at(hd), n, 2 * hd, t, nh, hd);
        ops.matmul(s.x, h, s.mid, qDim, w.oProj(), t, h, qDim, true, precision);
    }

    /** The step's scratch buffers, grown (never shrunk) to the largest step seen. */
    private Scratch scratch(int numTokens, int numRows) {
        if (scratch == null || scratch.numTokens < numTokens || scratch.numRows < numRows) {
            int tok = scratch == null ? numTokens : Math.max(numTokens, scratch.numTokens);
            int rows = scratch == null ? numRows : Math.max(numRows, scratch.numRows);
            if (scratch != null) {
                scratch.free(ops);
            }
            scratch = new Scratch(ops, c, tok, rows);
        }
        return scratch;
    }

    private void freeCaches() {
        kCaches.forEach(ops::free);
        vCaches.forEach(ops::free);
        kCaches.clear();
        vCaches.clear();
        if (states != null) {
            ops.free(states);
            states = null;
        }
    }

    @Override
    public void close() {
        freeCaches();
        if (scratch != null) {
            scratch.free(ops);
            scratch = null;
        }
        ops.free(invFreq);
    }
}
