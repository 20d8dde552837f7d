package io.streamlm.backend.cpu;

import java.util.List;
import static io.streamlm.backend.cpu.MatMul.F;
import static io.streamlm.backend.cpu.MatMul.LANES;

import io.streamlm.model.LayerWeights;
import io.streamlm.model.ModelConfig;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * A Gated DeltaNet token mixer (Qwen3_5GatedDeltaNet) over a batch: projections batched over all rows; the
 * causal conv and the delta rule per chunk on that chunk's state slot (chunked form for long chunks,
 * recurrent for short ones), parallel over (chunk, value head); gated RMSNorm; out projection batched.
 */
final class GdnLayer {
    /** Chunks up to this many tokens use the recurrent form; longer ones the chunked form. */
    static final int RECURRENT_MAX_TOKENS = 8;
    /** Below this many rows the element-wise parts (conv, norms) run on the calling thread. */
    static final int PARALLEL_MIN_TOKENS = 8;

    private final int index;        // among the linear-attention layers
    private final int hk, hv, dk, dv, kernel, convDim, keyDim;
    private final double eps;
    private final Weight inProjQkv, inProjZ, inProjB, inProjA, outProj;
    private final float[] convT;    // [K, convDim] conv1d weight transposed: tap-major
    private final float[] dtBias;   // [Hv]
    private final float[] negExpALog; // [Hv] -exp(A_log)
    private final float[] normW;    // [dv]
    private final WorkerPool pool;
    private final MatMul matmul;
    private final Worker[] workers; // [numThreads]
    private final WorkerPool.Task deltaTask = this::deltaPart;
    private final WorkerPool.Task convTask = this::convPart;
    private final WorkerPool.Task prepareTask = this::preparePart;
    private final WorkerPool.Task gatedNormTask = this::gatedNormPart;
    private StepBuffers s;
    private CacheMemory mem;

    /** Per-thread scratch: the gathered inputs of one (chunk, head) item and its delta-rule workspace. */
    private final class Worker {
        final DeltaRule rule = new DeltaRule(dk, dv);
        float[] q = new float[0], k = new float[0], v = new float[0], g = new float[0], beta = new float[0],
                out = new float[0];

        void ensure(int n) {
            if (g.length < n) {
                q = new float[n * dk];
                k = new float[n * dk];
                v = new float[n * dv];
                g = new float[n];
                beta = new float[n];
                out = new float[n * dv];
            }
        }
    }

    GdnLayer(int index, ModelConfig c, LayerWeights.LinearAttention w, WorkerPool pool, MatMul matmul) {
        this.index = index;
        this.hk = c.linearNumKeyHeads();
        this.hv = c.linearNumValueHeads();
        this.dk = c.linearKeyHeadDim();
        this.dv = c.linearValueHeadDim();
        this.kernel = c.linearConvKernelDim();
        this.convDim = c.linearConvDim();
        this.keyDim = hk * dk;
        this.eps = c.rmsNormEps();
        this.inProjQkv = new Weight(w.inProjQkv());
        this.inProjZ = new Weight(w.inProjZ());
        this.inProjB = new Weight(w.inProjB());
        this.inProjA = new Weight(w.inProjA());
        this.outProj = new Weight(w.outProj());
        float[] conv = w.conv1d();
        this.convT = new float[kernel * convDim];
        for (int ch = 0; ch < convDim; ch++) {
            for (int j = 0; j < kernel; j++) {
                convT[j * convDim + ch] = conv[ch * kernel + j];
            }
        }
        this.dtBias = w.dtBias().clone();
        this.negExpALog = new float[hv];
        for (int i = 0; i < hv; i++) {
            negExpALog[i] = (float) -Math.exp(w.aLog()[i]);
        }
        this.normW = w.norm().clone();
        this.pool = pool;
        this.matmul = matmul;
        this.workers = new Worker[pool.numThreads()];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker();
        }
    }

    List<Weight> weights() {
        return List.of(inProjQkv, inProjZ, inProjB, inProjA, outProj);
    }

    /** Reads s.h, writes the mixer output into s.tmp; advances every chunk's conv and delta state. */
    void forward(StepBuffers step, CacheMemory memory, OpTimer timer) {
        this.s = step;
        this.mem = memory;
        int t = step.numTokens;
        timer.start();
        if (MatMul.sameLayout(inProjQkv, inProjZ, inProjB, inProjA)) {
            matmul.apply(inProjQkv, step.qkv, inProjZ, step.z, inProjB, step.ba, inProjA, step.aa, step.h, t);
        } else {
            matmul.apply(inProjQkv, step.h, t, step.qkv);
            matmul.apply(inProjZ, step.h, t, step.z);
            matmul.apply(inProjB, step.h, t, step.ba);
            matmul.apply(inProjA, step.h, t, step.aa);
        }
        timer.stop(OpTimer.Op.GDN_PROJ);
        boolean wide = t >= PARALLEL_MIN_TOKENS;
        pool.run(convTask, wide);
        pool.run(prepareTask, wide);
        timer.stop(OpTimer.Op.GDN_CONV);
        int maxLen = 0;
        for (int ci = 0; ci < step.numChunks; ci++) {
            maxLen = Math.max(maxLen, step.chunks[ci].numTokens());
        }
        for (Worker wk : workers) {
            wk.ensure(maxLen);
        }
        pool.run(deltaTask);
        timer.stop(OpTimer.Op.GDN_DELTA);
        pool.run(gatedNormTask, wide);
        matmul.apply(outProj, step.core, t, step.tmp);
        timer.stop(OpTimer.Op.GDN_OUT);
        this.s = null;
        this.mem = null;
    }

    /** Causal depthwise conv + SiLU of one chunk into s.mixed, continuing from and updating its conv state. */
    /** Channels are independent (depthwise conv, per-channel state), so parts split the channels. */
    private void convPart(int part, int numParts) {
        int c0 = WorkerPool.splitStart(convDim, part, numParts, LANES);
        int c1 = WorkerPool.splitStart(convDim, part + 1, numParts, LANES);
        if (c0 < c1) {
            for (int ci = 0; ci < s.numChunks; ci++) {
                convChunk(ci, c0, c1);
            }
        }
    }

    private void convChunk(int ci, int c0, int c1) {
        int r0 = s.chunkRow[ci];
        int n = s.chunks[ci].numTokens();
        float[] state = mem.conv[index][s.chunks[ci].stateSlot()]; // [K-1, convDim], oldest first
        int hist = kernel - 1;
        int vec = c0 + F.loopBound(c1 - c0);
        for (int t = 0; t < n; t++) {
            int o = (r0 + t) * convDim;
            for (int c = c0; c < vec; c += LANES) {
                FloatVector acc = FloatVector.zero(F);
                for (int j = 0; j < kernel; j++) {
                    int p = t + j; // index into [state rows | chunk rows]
                    FloatVector xv = p < hist ? FloatVector.fromArray(F, state, p * convDim + c)
                            : FloatVector.fromArray(F, s.qkv, (r0 + p - hist) * convDim + c);
                    acc = FloatVector.fromArray(F, convT, j * convDim + c).fma(xv, acc);
                }
                acc.div(VecOps.exp(acc.neg()).add(1f)).intoArray(s.mixed, o + c);
            }
            for (int c = vec; c < c1; c++) {
                float acc = 0f;
                for (int j = 0; j < kernel; j++) {
                    int p = t + j;
                    float xv = p < hist ? state[p * convDim + c] : s.qkv[(r0 + p - hist) * convDim + c];
                    acc += convT[j * convDim + c] * xv;
                }
                s.mixed[o + c] = VecOps.silu(acc);
            }
        }
        // the new state is the last K-1 inputs; source index n + i > i, so in-place reads stay ahead of writes
        for (int i = 0; i < hist; i++) {
            int p = n + i;
            if (p < hist) {
                System.arraycopy(state, p * convDim + c0, state, i * convDim + c0, c1 - c0);
            } else {
                System.arraycopy(s.qkv, (r0 + p - hist) * convDim + c0, state, i * convDim + c0, c1 - c0);
            }
        }
    }

    /** L2-normalises q and k per head (q also scaled by dk^-0.5); beta = sigmoid(b); g = -exp(A_log) softplus(a + dt_bias). */
    private void preparePart(int part, int numParts) {
        float qScale = (float) (1.0 / Math.sqrt(dk));
        int from = WorkerPool.splitStart(s.numTokens, part, numParts, 1);
        int to = WorkerPool.splitStart(s.numTokens, part + 1, numParts, 1);
        for (int t = from; t < to; t++) {
            int o = t * convDim;
            for (int h = 0; h < hk; h++) {
                l2Normalize(s.mixed, o + h * dk, qScale);
                l2Normalize(s.mixed, o + keyDim + h * dk, 1f);
            }
            for (int h = 0; h < hv; h++) {
                int i = t * hv + h;
                s.ba[i] = VecOps.sigmoid(s.ba[i]);
                s.aa[i] = (float) (negExpALog[h] * VecOps.softplus((double) s.aa[i] + dtBias[h]));
            }
        }
    }

    private void l2Normalize(float[] x, int off, float scale) {
        float inv = (float) (1.0 / Math.sqrt(VecOps.sumSquares(x, off, dk) + 1e-6));
        VecOps.scale(x, off, inv * scale, dk);
    }

    private void deltaPart(int part, int numParts) {
        Worker wk = workers[part];
        int numItems = s.numChunks * hv;
        int from = WorkerPool.splitStart(numItems, part, numParts, 1);
        int to = WorkerPool.splitStart(numItems, part + 1, numParts, 1);
        int ratio = hv / hk;
        for (int item = from; item < to; item++) {
            int ci = item / hv;
            int h = item % hv;
            int kh = h / ratio;
            int r0 = s.chunkRow[ci];
            int n = s.chunks[ci].numTokens();
            for (int t = 0; t < n; t++) {
                int o = (r0 + t) * convDim;
                System.arraycopy(s.mixed, o + kh * dk, wk.q, t * dk, dk);
                System.arraycopy(s.mixed, o + keyDim + kh * dk, wk.k, t * dk, dk);
                System.arraycopy(s.mixed, o + 2 * keyDim + h * dv, wk.v, t * dv, dv);
                wk.g[t] = s.aa[(r0 + t) * hv + h];
                wk.beta[t] = s.ba[(r0 + t) * hv + h];
            }
            float[] state = mem.delta[index][s.chunks[ci].stateSlot()];
            if (n <= RECURRENT_MAX_TOKENS) {
                wk.rule.recurrent(wk.q, wk.k, wk.v, wk.g, wk.beta, n, state, h * dk * dv, wk.out);
            } else {
                wk.rule.chunked(wk.q, wk.k, wk.v, wk.g, wk.beta, n, state, h * dk * dv, wk.out);
            }
            for (int t = 0; t < n; t++) {
                System.arraycopy(wk.out, t * dv, s.core, (r0 + t) * hv * dv + h * dv, dv);
            }
        }
    }

    /** Qwen3_5RMSNormGated per value head: (x * rsqrt(mean(x^2) + eps)) * w * silu(z). */
    private void gatedNormPart(int part, int numParts) {
        int from = WorkerPool.splitStart(s.numTokens, part, numParts, 1);
        int to = WorkerPool.splitStart(s.numTokens, part + 1, numParts, 1);
        for (int t = from; t < to; t++) {
            for (int h = 0; h < hv; h++) {
                int o = t * hv * dv + h * dv;
                float inv = (float) (1.0 / Math.sqrt(VecOps.sumSquares(s.core, o, dv) / (double) dv + eps));
                int vec = F.loopBound(dv);
                for (int j = 0; j < vec; j += LANES) {
                    FloatVector zv = FloatVector.fromArray(F, s.z, o + j);
                    FloatVector siluZ = zv.div(VecOps.exp(zv.neg()).add(1f));
                    FloatVector.fromArray(F, s.core, o + j).mul(inv).mul(FloatVector.fromArray(F, normW, j))
                            .mul(siluZ).intoArray(s.core, o + j);
                }
                for (int j = vec; j < dv; j++) {
                    s.core[o + j] = s.core[o + j] * inv * normW[j] * VecOps.silu(s.z[o + j]);
                }
            }
        }
    }
}
