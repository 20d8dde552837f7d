package io.streamlm.backend.cpu;

import java.util.List;
import io.streamlm.backend.SeqChunk;
import io.streamlm.model.LayerWeights;
import io.streamlm.model.ModelConfig;

/**
 * Gated full attention (Qwen3_5Attention) over a batch: q/k/v projections batched; QK-norm and partial RoPE
 * per row; the new K/V written into each chunk's paged blocks; causal softmax attention per (row, head) over
 * the sequence's paged KV (GQA), parallel across the pool; output times sigmoid(gate); o_proj batched.
 */
final class AttnLayer {
    /** Attention of fewer (keys x heads x headDim) multiply-adds than this runs on the calling thread. */
    private static final long PARALLEL_MIN_WORK = 1L << 18;
    private final int index;         // among the full-attention layers
    private final int numHeads, numKvHeads, headDim, rotaryDim, kvDim;
    private final double eps;
    private final float scale;
    private final Weight qProj, kProj, vProj, oProj;
    private final float[] qNorm, kNorm; // [headDim]
    private final WorkerPool pool;
    private final MatMul matmul;
    private final float[][] scores;     // [numThreads][>= max context] per-thread softmax row
    private final float[][] headOut;    // [numThreads][headDim]
    private final PrefillAttention[] prefill; // [numThreads]
    private final WorkerPool.Task attnTask = this::attendPart;
    private StepBuffers s;
    private CacheMemory mem;

    AttnLayer(int index, ModelConfig c, LayerWeights.FullAttention w, WorkerPool pool, MatMul matmul) {
        this.index = index;
        this.numHeads = c.numAttentionHeads();
        this.numKvHeads = c.numKeyValueHeads();
        this.headDim = c.headDim();
        this.rotaryDim = c.rotaryDim();
        this.kvDim = c.kvDim();
        this.eps = c.rmsNormEps();
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.qProj = new Weight(w.qProj());
        this.kProj = new Weight(w.kProj());
        this.vProj = new Weight(w.vProj());
        this.oProj = new Weight(w.oProj());
        this.qNorm = w.qNorm().clone();
        this.kNorm = w.kNorm().clone();
        this.pool = pool;
        this.matmul = matmul;
        this.scores = new float[pool.numThreads()][0];
        this.headOut = new float[pool.numThreads()][headDim];
        this.prefill = new PrefillAttention[pool.numThreads()];
        for (int i = 0; i < prefill.length; i++) {
            prefill[i] = new PrefillAttention(headDim);
        }
    }

    List<Weight> weights() {
        return List.of(qProj, kProj, vProj, oProj);
    }

    /** Reads s.h, writes the attention output into s.tmp; writes every row's K/V into its block. */
    void forward(StepBuffers step, CacheMemory memory, OpTimer timer) {
        this.s = step;
        this.mem = memory;
        int t = step.numTokens;
        timer.start();
        if (MatMul.sameLayout(qProj, kProj, vProj)) {
            matmul.apply(qProj, step.qg, kProj, step.k, vProj, step.v, step.h, t);
        } else {
            matmul.apply(qProj, step.h, t, step.qg);
            matmul.apply(kProj, step.h, t, step.k);
            matmul.apply(vProj, step.h, t, step.v);
        }
        timer.stop(OpTimer.Op.ATTN_PROJ);
        int maxLen = 0;
        for (int r = 0; r < t; r++) {
            normAndRope(r);
            storeKv(r);
            maxLen = Math.max(maxLen, step.positions[r] + 1);
        }
        for (int i = 0; i < scores.length; i++) {
            if (scores[i].length < maxLen) {
                scores[i] = new float[Math.max(maxLen, scores[i].length * 2)];
            }
        }
        long work = 0;
        for (int r = 0; r < t; r++) {
            work += step.positions[r] + 1L;
        }
        pool.run(attnTask, work * numHeads * headDim >= PARALLEL_MIN_WORK);
        timer.stop(OpTimer.Op.ATTN_CORE);
        matmul.apply(oProj, step.core, t, step.tmp);
        timer.stop(OpTimer.Op.ATTN_OUT);
        this.s = null;
        this.mem = null;
    }

    private void normAndRope(int r) {
        int half = rotaryDim / 2;
        int ropeOff = r * half;
        for (int h = 0; h < numHeads; h++) {
            int o = r * numHeads * headDim * 2 + h * headDim * 2; // query part of [query | gate]
            VecOps.rmsNormZeroCentered(s.qg, o, qNorm, eps, s.qg, o, headDim);
            rope(s.qg, o, ropeOff, half);
        }
        for (int h = 0; h < numKvHeads; h++) {
            int o = r * kvDim + h * headDim;
            VecOps.rmsNormZeroCentered(s.k, o, kNorm, eps, s.k, o, headDim);
            rope(s.k, o, ropeOff, half);
        }
    }

    /** rotate_half RoPE on the first rotaryDim channels of the head at {@code off}. */
    private void rope(float[] x, int off, int ropeOff, int half) {
        for (int i = 0; i < half; i++) {
            float cos = s.ropeCos[ropeOff + i];
            float sin = s.ropeSin[ropeOff + i];
            float x1 = x[off + i];
            float x2 = x[off + half + i];
            x[off + i] = x1 * cos - x2 * sin;
            x[off + half + i] = x2 * cos + x1 * sin;
        }
    }

    private void storeKv(int r) {
        SeqChunk ch = s.chunks[s.rowChunk[r]];
        int pos = s.positions[r];
        int block = ch.blockTable()[pos / mem.blockSize];
        int off = (pos % mem.blockSize) * kvDim;
        System.arraycopy(s.k, r * kvDim, mem.keys[index][block], off, kvDim);
        System.arraycopy(s.v, r * kvDim, mem.values[index][block], off, kvDim);
    }

    /** Chunks of at least this many rows attend as GEMMs ({@link PrefillAttention}); shorter ones per row. */
    static final int BLOCKED_MIN_ROWS = 4;

    private void attendPart(int part, int numParts) {
        // items: (chunk, kv head) for long chunks, then (row, query head) for the rows of short chunks
        int numItems = 0;
        for (int ci = 0; ci < s.numChunks; ci++) {
            numItems += s.chunks[ci].numTokens() >= BLOCKED_MIN_ROWS ? numKvHeads : s.chunks[ci].numTokens() * numHeads;
        }
        int from = WorkerPool.splitStart(numItems, part, numParts, 1);
        int to = WorkerPool.splitStart(numItems, part + 1, numParts, 1);
        int item = 0;
        for (int ci = 0; ci < s.numChunks && item < to; ci++) {
            SeqChunk ch = s.chunks[ci];
            int n = ch.numTokens();
            if (n >= BLOCKED_MIN_ROWS) {
                for (int g = 0; g < numKvHeads; g++, item++) {
                    if (item >= from && item < to) {
                        prefill[part].run(s, s.chunkRow[ci], n, ch.startPos(), ch.blockTable(), mem.keys[index],
                                mem.values[index], mem.blockSize, kvDim, g, numHeads, numHeads / numKvHeads, scale);
                    }
                }
            } else {
                for (int i = 0; i < n * numHeads; i++, item++) {
                    if (item >= from && item < to) {
                        attendRow(part, s.chunkRow[ci] + i / numHeads, i % numHeads);
                    }
                }
            }
        }
    }

    /** One (row, query head): dot products and axpys over the sequence's paged KV (decode). */
    private void attendRow(int part, int r, int h) {
        float[] sc = scores[part];
        float[] out = headOut[part];
        int bs = mem.blockSize;
        float[][] keys = mem.keys[index];
        float[][] values = mem.values[index];
        int kvOff = (h / (numHeads / numKvHeads)) * headDim;
        int[] table = s.chunks[s.rowChunk[r]].blockTable();
        int pos = s.positions[r];
        int q = r * numHeads * headDim * 2 + h * headDim * 2;
        float max = Float.NEGATIVE_INFINITY;
        for (int p = 0; p <= pos; p++) {
            float d = VecOps.dot(s.qg, q, keys[table[p / bs]], (p % bs) * kvDim + kvOff, headDim) * scale;
            sc[p] = d;
            max = Math.max(max, d);
        }
        double sum = 0;
        for (int p = 0; p <= pos; p++) {
            float e = (float) Math.exp(sc[p] - max);
            sc[p] = e;
            sum += e;
        }
        java.util.Arrays.fill(out, 0f);
        for (int p = 0; p <= pos; p++) {
            VecOps.axpy(out, 0, sc[p], values[table[p / bs]], (p % bs) * kvDim + kvOff, headDim);
        }
        VecOps.sigmoidGate(out, (float) (1.0 / sum), s.qg, q + headDim, s.core, r * numHeads * headDim + h * headDim,
                headDim);
    }
}
