package io.streamlm.backend.cpu;

import io.streamlm.model.LayerWeights;
import io.streamlm.model.ModelConfig;
import io.streamlm.model.ModelWeights;
import io.streamlm.model.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The Qwen3.5 / Qwen3.6 hybrid decoder over one step's stacked rows: embedding, per layer (zero-centred
 * RMSNorm, token mixer, residual, RMSNorm, SwiGLU MLP, residual), then the final norm and the head for the
 * rows that need logits only (the head is a third of a small model's bytes).
 */
final class CpuModel {
    private final ModelConfig c;
    private final Tensor embedding;
    private final Weight head;
    private final float[] finalNorm;
    private final float[][] inputNorm;   // [numLayers][hidden]
    private final float[][] postNorm;    // [numLayers][hidden]
    private final Weight[] gateProj, upProj, downProj; // [numLayers]
    private final GdnLayer[] gdn;        // [numLayers], null where the layer is full attention
    private final AttnLayer[] attn;      // [numLayers], null where the layer is linear attention
    private final double[] invFreq;      // [rotaryDim / 2]
    private final MatMul matmul;
    final OpTimer timer = new OpTimer();
    private float[] headIn = new float[0];  // [numLogitRows, hidden]
    private float[] logits = new float[0];  // [numLogitRows, vocab]

    CpuModel(ModelWeights w, WorkerPool pool) {
        this.c = w.config();
        int numLayers = c.numLayers();
        this.embedding = w.embedding();
        this.head = new Weight(w.lmHead());
        this.finalNorm = w.finalNorm().clone();
        this.inputNorm = new float[numLayers][];
        this.postNorm = new float[numLayers][];
        this.gateProj = new Weight[numLayers];
        this.upProj = new Weight[numLayers];
        this.downProj = new Weight[numLayers];
        this.gdn = new GdnLayer[numLayers];
        this.attn = new AttnLayer[numLayers];
        int maxCols = Math.max(c.hiddenSize(), c.intermediateSize());
        maxCols = Math.max(maxCols, c.numAttentionHeads() * c.headDim());
        maxCols = Math.max(maxCols, c.linearNumValueHeads() * c.linearValueHeadDim());
        this.matmul = new MatMul(pool, maxCols);
        int numLinear = 0;
        int numFull = 0;
        for (int l = 0; l < numLayers; l++) {
            LayerWeights lw = w.layers().get(l);
            inputNorm[l] = lw.inputNorm().clone();
            postNorm[l] = lw.postAttentionNorm().clone();
            gateProj[l] = new Weight(lw.mlp().gate());
            upProj[l] = new Weight(lw.mlp().up());
            downProj[l] = new Weight(lw.mlp().down());
            if (lw instanceof LayerWeights.LinearAttention la) {
                gdn[l] = new GdnLayer(numLinear++, c, la, pool, matmul);
            } else {
                attn[l] = new AttnLayer(numFull++, c, (LayerWeights.FullAttention) lw, pool, matmul);
            }
        }
        int half = c.rotaryDim() / 2;
        this.invFreq = new double[half];
        for (int i = 0; i < half; i++) {
            invFreq[i] = 1.0 / Math.pow(c.ropeTheta(), (2.0 * i) / c.rotaryDim());
        }
    }

    /** Every matrix one decode step reads: the layers' and the head. */
    private List<Weight> matrices() {
        List<Weight> all = new ArrayList<>();
        all.add(head);
        for (int l = 0; l < c.numLayers(); l++) {
            all.addAll(List.of(gateProj[l], upProj[l], downProj[l]));
            all.addAll(gdn[l] != null ? gdn[l].weights() : attn[l].weights());
        }
        return all;
    }

    /** Bytes of weights one decode step reads. */
    long weightBytes() {
        return matrices().stream().mapToLong(Weight::sizeBytes).sum();
    }

    /**
     * Repacks the BF16 matrices for {@link PackedGemm} while the heap has room; called once the caches are
     * allocated, since they are required and packing is not. Returns the bytes packed.
     */
    long packWeights() {
        long bytes = 0;
        ConcurrentLinkedQueue<Weight.Scratch> scratch = new ConcurrentLinkedQueue<>();
        for (Weight w : matrices()) {
            w.pack(scratch);
            bytes += w.packedBytes();
        }
        return bytes;
    }

    /** Runs the step; returns the logits of {@code logitRows} (row indices into the step), in that order. */
    float[][] forward(StepBuffers s, CacheMemory mem, int[] logitRows, int numLogitRows) {
        int hidden = c.hiddenSize();
        int t = s.numTokens;
        timer.start();
        for (int r = 0; r < t; r++) {
            embedding.readRow(s.tokens[r], s.x, r * hidden);
        }
        fillRope(s);
        timer.stop(OpTimer.Op.EMBED);
        for (int l = 0; l < c.numLayers(); l++) {
            normRows(s.x, inputNorm[l], s.h, t);
            timer.stop(OpTimer.Op.NORM);
            if (gdn[l] != null) {
                gdn[l].forward(s, mem, timer);
            } else {
                attn[l].forward(s, mem, timer);
            }
            VecOps.add(s.x, 0, s.tmp, 0, t * hidden);
            normRows(s.x, postNorm[l], s.h, t);
            timer.stop(OpTimer.Op.NORM);
            mlp(l, s);
            timer.stop(OpTimer.Op.MLP);
        }
        float[][] out = head(s, logitRows, numLogitRows);
        timer.stop(OpTimer.Op.HEAD);
        return out;
    }

    private void mlp(int l, StepBuffers s) {
        int t = s.numTokens;
        if (MatMul.sameLayout(gateProj[l], upProj[l])) {
            matmul.apply(gateProj[l], s.gate, upProj[l], s.up, s.h, t);
        } else {
            matmul.apply(gateProj[l], s.h, t, s.gate);
            matmul.apply(upProj[l], s.h, t, s.up);
        }
        VecOps.swiglu(s.gate, s.up, s.gate, t * c.intermediateSize());
        matmul.apply(downProj[l], s.gate, t, s.tmp);
        VecOps.add(s.x, 0, s.tmp, 0, t * c.hiddenSize());
    }

    private float[][] head(StepBuffers s, int[] rows, int n) {
        float[][] out = new float[n][];
        if (n == 0) {
            return out;
        }
        int hidden = c.hiddenSize();
        int vocab = c.vocabSize();
        if (headIn.length < n * hidden) {
            headIn = new float[n * hidden];
        }
        if (logits.length < (long) n * vocab) {
            logits = new float[Math.toIntExact((long) n * vocab)];
        }
        for (int i = 0; i < n; i++) {
            VecOps.rmsNormZeroCentered(s.x, rows[i] * hidden, finalNorm, c.rmsNormEps(), headIn, i * hidden, hidden);
        }
        matmul.apply(head, headIn, n, logits);
        for (int i = 0; i < n; i++) {
            float[] row = new float[vocab];
            System.arraycopy(logits, i * vocab, row, 0, vocab);
            out[i] = row;
        }
        return out;
    }

    private void normRows(float[] x, float[] w, float[] dst, int t) {
        int hidden = c.hiddenSize();
        for (int r = 0; r < t; r++) {
            VecOps.rmsNormZeroCentered(x, r * hidden, w, c.rmsNormEps(), dst, r * hidden, hidden);
        }
    }

    private void fillRope(StepBuffers s) {
        int half = c.rotaryDim() / 2;
        for (int r = 0; r < s.numTokens; r++) {
            double pos = s.positions[r];
            for (int i = 0; i < half; i++) {
                double a = pos * invFreq[i];
                s.ropeCos[r * half + i] = (float) Math.cos(a);
                s.ropeSin[r * half + i] = (float) Math.sin(a);
            }
        }
    }
}
