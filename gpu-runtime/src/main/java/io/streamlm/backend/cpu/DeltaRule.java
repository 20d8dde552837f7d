package io.streamlm.backend.cpu;

import static io.streamlm.backend.cpu.MatMul.F;
import static io.streamlm.backend.cpu.MatMul.LANES;

import jdk.incubator.vector.FloatVector;

/**
 * The gated delta rule of one value head over a run of tokens, advancing its state {@code S [dk, dv]}:
 * per token {@code S *= exp(g); delta = (v - S^T k) * beta; S += k delta^T; o = S^T q}. q and k arrive
 * L2-normalised, q already scaled by dk^-0.5.
 *
 * <p>Two forms with the same result: {@link #recurrent} token by token (decode), and {@link #chunked}, the
 * chunked WY/UT form of torch_chunk_gated_delta_rule (prefill), which touches the state once per chunk of
 * {@link #CHUNK} tokens instead of once per token.
 *
 * <p>Inputs per head, contiguous: q, k [n, dk]; v [n, dv]; g, beta [n]; out [n, dv].
 */
final class DeltaRule {
    static final int CHUNK = 64;

    private final int dk;
    private final int dv;
    // chunked-form scratch, one chunk
    private final double[] cum = new double[CHUNK];        // [C] cumulative log-decay within the chunk
    private final float[] attn = new float[CHUNK * CHUNK];  // [C, C] strictly lower: minus A of the UT transform (I + A)
    private final float[] intra = new float[CHUNK * CHUNK]; // [C, C] lower incl. diagonal: decayed q.k
    private final float[] kdT;  // [dk, C] k_i exp(cum_last - cum_i), transposed for the state update
    private final float[] uv;   // [C, dv] new values, then vNew
    private final float[] wk;   // [C, dk] -k_cumdecay
    private final float[] row;  // [max(dk, dv)]

    DeltaRule(int dk, int dv) {
        this.dk = dk;
        this.dv = dv;
        this.uv = new float[CHUNK * dv];
        this.wk = new float[CHUNK * dk];
        this.row = new float[Math.max(dk, dv)];
        this.kdT = new float[dk * CHUNK];
    }

    /** Token-by-token recurrence; {@code s} at {@code sOff} is the head's state [dk, dv], updated in place. */
    void recurrent(float[] q, float[] k, float[] v, float[] g, float[] beta, int n, float[] s, int sOff, float[] out) {
        float[] kv = row;
        for (int t = 0; t < n; t++) {
            float decay = (float) Math.exp(g[t]);
            java.util.Arrays.fill(kv, 0, dv, 0f);
            for (int i = 0; i < dk; i++) {
                int r = sOff + i * dv;
                scaleAccumulate(s, r, decay, kv, k[t * dk + i]);
            }
            float b = beta[t];
            for (int j = 0; j < dv; j++) {
                kv[j] = (v[t * dv + j] - kv[j]) * b; // kv now holds delta
            }
            int o = t * dv;
            java.util.Arrays.fill(out, o, o + dv, 0f);
            for (int i = 0; i < dk; i++) {
                int r = sOff + i * dv;
                VecOps.axpy(s, r, k[t * dk + i], kv, 0, dv);
                VecOps.axpy(out, o, q[t * dk + i], s, r, dv);
            }
        }
    }

    /** s[r..r+dv) *= decay; acc += ki * s[r..r+dv) (after the decay). */
    private void scaleAccumulate(float[] s, int r, float decay, float[] acc, float ki) {
        int vec = F.loopBound(dv);
        for (int j = 0; j < vec; j += LANES) {
            FloatVector sv = FloatVector.fromArray(F, s, r + j).mul(decay);
            sv.intoArray(s, r + j);
            sv.fma(FloatVector.broadcast(F, ki), FloatVector.fromArray(F, acc, j)).intoArray(acc, j);
        }
        for (int j = vec; j < dv; j++) {
            s[r + j] *= decay;
            acc[j] += ki * s[r + j];
        }
    }

    /** The chunked form over {@code n} tokens (any n; the last chunk may be partial). */
    void chunked(float[] q, float[] k, float[] v, float[] g, float[] beta, int n, float[] s, int sOff, float[] out) {
        for (int c0 = 0; c0 < n; c0 += CHUNK) {
            chunk(q, k, v, g, beta, c0, Math.min(CHUNK, n - c0), s, sOff, out);
        }
    }

    private void chunk(float[] q, float[] k, float[] v, float[] g, float[] beta, int c0, int m, float[] s, int sOff,
                       float[] out) {
        double acc = 0;
        for (int i = 0; i < m; i++) {
            acc += g[c0 + i];
            cum[i] = acc;
        }
        // attn[i][j] = -beta_i (k_i . k_j) exp(cum_i - cum_j), j < i;  intra[i][j] = (q_i . k_j) exp(cum_i - cum_j), j <= i
        for (int i = 0; i < m; i++) {
            int ki = (c0 + i) * dk;
            for (int j = 0; j <= i; j++) {
                int kj = (c0 + j) * dk;
                float decay = (float) Math.exp(cum[i] - cum[j]);
                if (j < i) {
                    attn[i * CHUNK + j] = -beta[c0 + i] * VecOps.dot(k, ki, k, kj, dk) * decay;
                }
                intra[i * CHUNK + j] = VecOps.dot(q, (c0 + i) * dk, k, kj, dk) * decay;
            }
        }
        // forward substitution, (I - attn) X = B: uv = new values (B = beta v); wk = -k_cumdecay (B = -beta k exp(cum))
        for (int i = 0; i < m; i++) {
            float b = beta[c0 + i];
            float e = (float) -Math.exp(cum[i]);
            for (int j = 0; j < dv; j++) {
                uv[i * dv + j] = v[(c0 + i) * dv + j] * b;
            }
            for (int j = 0; j < dk; j++) {
                wk[i * dk + j] = k[(c0 + i) * dk + j] * b * e;
            }
            rowCombine(uv, i * dv, attn, i * CHUNK, i, uv, 0, dv, dv);
            rowCombine(wk, i * dk, attn, i * CHUNK, i, wk, 0, dk, dk);
        }
        // vNew_i = uv_i - k_cumdecay_i S ;  out_i = exp(cum_i) q_i S + sum_{j<=i} intra[i][j] vNew_j
        for (int i = 0; i < m; i++) {
            int o = (c0 + i) * dv;
            float eq = (float) Math.exp(cum[i]);
            for (int r = 0; r < dk; r++) {
                row[r] = eq * q[(c0 + i) * dk + r];
            }
            java.util.Arrays.fill(out, o, o + dv, 0f);
            rowCombine(uv, i * dv, wk, i * dk, dk, s, sOff, dv, dv);
            rowCombine(out, o, row, 0, dk, s, sOff, dv, dv);
        }
        for (int i = 0; i < m; i++) {
            rowCombine(out, (c0 + i) * dv, intra, i * CHUNK, i + 1, uv, 0, dv, dv);
        }
        // S = S exp(cum_last) + sum_i k_i exp(cum_last - cum_i) vNew_i^T
        double last = cum[m - 1];
        float chunkDecay = (float) Math.exp(last);
        for (int i = 0; i < m; i++) {
            float tail = (float) Math.exp(last - cum[i]);
            for (int r = 0; r < dk; r++) {
                kdT[r * CHUNK + i] = k[(c0 + i) * dk + r] * tail;
            }
        }
        for (int r = 0; r < dk; r++) {
            int sr = sOff + r * dv;
            VecOps.scale(s, sr, chunkDecay, dv);
            rowCombine(s, sr, kdT, r * CHUNK, m, uv, 0, dv, dv);
        }
    }

    /**
     * {@code dst[dstOff + c] += sum_{j < count} coef[coefOff + j] * src[srcOff + j * srcStride + c]} for
     * c < width: the accumulators of 4 vectors of dst stay in registers over all j (an axpy per j would load
     * and store dst every time).
     */
    static void rowCombine(float[] dst, int dstOff, float[] coef, int coefOff, int count, float[] src, int srcOff,
                           int srcStride, int width) {
        int c = 0;
        for (; c + 4 * LANES <= width; c += 4 * LANES) {
            int d = dstOff + c;
            FloatVector a0 = FloatVector.fromArray(F, dst, d);
            FloatVector a1 = FloatVector.fromArray(F, dst, d + LANES);
            FloatVector a2 = FloatVector.fromArray(F, dst, d + 2 * LANES);
            FloatVector a3 = FloatVector.fromArray(F, dst, d + 3 * LANES);
            for (int j = 0; j < count; j++) {
                FloatVector w = FloatVector.broadcast(F, coef[coefOff + j]);
                int o = srcOff + j * srcStride + c;
                a0 = FloatVector.fromArray(F, src, o).fma(w, a0);
                a1 = FloatVector.fromArray(F, src, o + LANES).fma(w, a1);
                a2 = FloatVector.fromArray(F, src, o + 2 * LANES).fma(w, a2);
                a3 = FloatVector.fromArray(F, src, o + 3 * LANES).fma(w, a3);
            }
            a0.intoArray(dst, d);
            a1.intoArray(dst, d + LANES);
            a2.intoArray(dst, d + 2 * LANES);
            a3.intoArray(dst, d + 3 * LANES);
        }
        for (; c + LANES <= width; c += LANES) {
            FloatVector a0 = FloatVector.fromArray(F, dst, dstOff + c);
            for (int j = 0; j < count; j++) {
                a0 = FloatVector.fromArray(F, src, srcOff + j * srcStride + c).fma(FloatVector.broadcast(F, coef[coefOff + j]), a0);
            }
            a0.intoArray(dst, dstOff + c);
        }
        for (; c < width; c++) {
            float a = dst[dstOff + c];
            for (int j = 0; j < count; j++) {
                a += coef[coefOff + j] * src[srcOff + j * srcStride + c];
            }
            dst[dstOff + c] = a;
        }
    }
}
