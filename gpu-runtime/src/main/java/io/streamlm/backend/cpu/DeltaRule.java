package io.streamlm.backend.cpu;

import static io.streamlm.backend.cpu.MatMul.F;
import static io.streamlm.backend.cpu.MatMul.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

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
    private final float[] kc;   // [C, dk] this chunk's k
    private final float[] qc;   // [C, dk] this chunk's q
    private final float[] qe;   // [C, dk] q_i exp(cum_i)
    private final float[] decay = new float[CHUNK]; // [C] exp(cum_i - cum_j) of one row
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
        this.kc = new float[CHUNK * dk];
        this.qc = new float[CHUNK * dk];
        this.qe = new float[CHUNK * dk];
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
        // the dot products as two small GEMMs (register-tiled), the decays with vector exp per row
        System.arraycopy(k, c0 * dk, kc, 0, m * dk);
        System.arraycopy(q, c0 * dk, qc, 0, m * dk);
        Gemm.panelTimesRows(kc, m, kc, m, dk, attn, 0, CHUNK);
        Gemm.panelTimesRows(kc, m, qc, m, dk, intra, 0, CHUNK);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j <= i; j++) {
                decay[j] = (float) (cum[i] - cum[j]);
            }
            expInPlace(decay, i + 1);
            int row = i * CHUNK;
            float nb = -beta[c0 + i];
            for (int j = 0; j < i; j++) {
                attn[row + j] *= nb * decay[j];
            }
            for (int j = 0; j <= i; j++) {
                intra[row + j] *= decay[j];
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
            float eq = (float) Math.exp(cum[i]);
            for (int r = 0; r < dk; r++) {
                qe[i * dk + r] = eq * q[(c0 + i) * dk + r];
            }
        }
        java.util.Arrays.fill(out, c0 * dv, (c0 + m) * dv, 0f);
        matCombine(uv, 0, dv, wk, 0, dk, m, dk, s, sOff, dv, dv);
        matCombine(out, c0 * dv, dv, qe, 0, dk, m, dk, s, sOff, dv, dv);
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
        VecOps.scale(s, sOff, chunkDecay, dk * dv);
        matCombine(s, sOff, dv, kdT, 0, CHUNK, dk, m, uv, 0, dv, dv);
    }

    /**
     * {@code dst[row] += coef[row] @ src} for {@code rows} rows: {@code dst[dstOff + i * dstStride + c] +=
     * sum_{j < count} coef[coefOff + i * coefStride + j] * src[srcOff + j * srcStride + c]}, c < width.
     * 8 rows x 2 vectors of columns in 16 accumulators: each loaded src vector feeds 8 FMAs.
     */
    static void matCombine(float[] dst, int dstOff, int dstStride, float[] coef, int coefOff, int coefStride, int rows,
                           int count, float[] src, int srcOff, int srcStride, int width) {
        int blockCols = width - width % (2 * LANES);
        int i = 0;
        for (; i + 8 <= rows; i += 8) {
            for (int c = 0; c < blockCols; c += 2 * LANES) {
                combine8x2(dst, dstOff + i * dstStride + c, dstStride, coef, coefOff + i * coefStride, coefStride, count,
                        src, srcOff + c, srcStride);
            }
            if (blockCols < width) {
                for (int r = i; r < i + 8; r++) {
                    rowCombine(dst, dstOff + r * dstStride + blockCols, coef, coefOff + r * coefStride, count, src,
                            srcOff + blockCols, srcStride, width - blockCols);
                }
            }
        }
        for (; i < rows; i++) {
            rowCombine(dst, dstOff + i * dstStride, coef, coefOff + i * coefStride, count, src, srcOff, srcStride, width);
        }
    }

    private static void combine8x2(float[] dst, int d, int ds, float[] coef, int k, int ks, int count, float[] src,
                                   int o, int os) {
        FloatVector a00 = FloatVector.fromArray(F, dst, d), a01 = FloatVector.fromArray(F, dst, d + LANES);
        FloatVector a10 = FloatVector.fromArray(F, dst, d + ds), a11 = FloatVector.fromArray(F, dst, d + ds + LANES);
        FloatVector a20 = FloatVector.fromArray(F, dst, d + 2 * ds), a21 = FloatVector.fromArray(F, dst, d + 2 * ds + LANES);
        FloatVector a30 = FloatVector.fromArray(F, dst, d + 3 * ds), a31 = FloatVector.fromArray(F, dst, d + 3 * ds + LANES);
        FloatVector a40 = FloatVector.fromArray(F, dst, d + 4 * ds), a41 = FloatVector.fromArray(F, dst, d + 4 * ds + LANES);
        FloatVector a50 = FloatVector.fromArray(F, dst, d + 5 * ds), a51 = FloatVector.fromArray(F, dst, d + 5 * ds + LANES);
        FloatVector a60 = FloatVector.fromArray(F, dst, d + 6 * ds), a61 = FloatVector.fromArray(F, dst, d + 6 * ds + LANES);
        FloatVector a70 = FloatVector.fromArray(F, dst, d + 7 * ds), a71 = FloatVector.fromArray(F, dst, d + 7 * ds + LANES);
        for (int j = 0; j < count; j++) {
            int so = o + j * os;
            FloatVector x0 = FloatVector.fromArray(F, src, so);
            FloatVector x1 = FloatVector.fromArray(F, src, so + LANES);
            int kj = k + j;
            FloatVector b = FloatVector.broadcast(F, coef[kj]);
            a00 = b.fma(x0, a00);
            a01 = b.fma(x1, a01);
            b = FloatVector.broadcast(F, coef[kj + ks]);
            a10 = b.fma(x0, a10);
            a11 = b.fma(x1, a11);
            b = FloatVector.broadcast(F, coef[kj + 2 * ks]);
            a20 = b.fma(x0, a20);
            a21 = b.fma(x1, a21);
            b = FloatVector.broadcast(F, coef[kj + 3 * ks]);
            a30 = b.fma(x0, a30);
            a31 = b.fma(x1, a31);
            b = FloatVector.broadcast(F, coef[kj + 4 * ks]);
            a40 = b.fma(x0, a40);
            a41 = b.fma(x1, a41);
            b = FloatVector.broadcast(F, coef[kj + 5 * ks]);
            a50 = b.fma(x0, a50);
            a51 = b.fma(x1, a51);
            b = FloatVector.broadcast(F, coef[kj + 6 * ks]);
            a60 = b.fma(x0, a60);
            a61 = b.fma(x1, a61);
            b = FloatVector.broadcast(F, coef[kj + 7 * ks]);
            a70 = b.fma(x0, a70);
            a71 = b.fma(x1, a71);
        }
        a00.intoArray(dst, d);
        a01.intoArray(dst, d + LANES);
        a10.intoArray(dst, d + ds);
        a11.intoArray(dst, d + ds + LANES);
        a20.intoArray(dst, d + 2 * ds);
        a21.intoArray(dst, d + 2 * ds + LANES);
        a30.intoArray(dst, d + 3 * ds);
        a31.intoArray(dst, d + 3 * ds + LANES);
        a40.intoArray(dst, d + 4 * ds);
        a41.intoArray(dst, d + 4 * ds + LANES);
        a50.intoArray(dst, d + 5 * ds);
        a51.intoArray(dst, d + 5 * ds + LANES);
        a60.intoArray(dst, d + 6 * ds);
        a61.intoArray(dst, d + 6 * ds + LANES);
        a70.intoArray(dst, d + 7 * ds);
        a71.intoArray(dst, d + 7 * ds + LANES);
    }

    /** x[0..n) = exp(x) (vector exp; the arguments are <= 0 here). */
    private static void expInPlace(float[] x, int n) {
        int vec = F.loopBound(n);
        for (int c = 0; c < vec; c += LANES) {
            VecOps.exp(FloatVector.fromArray(F, x, c)).intoArray(x, c);
        }
        for (int c = vec; c < n; c++) {
            x[c] = (float) Math.exp(x[c]);
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
