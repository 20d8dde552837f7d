package io.streamlm.backend.cpu;

import static io.streamlm.backend.cpu.MatMul.F;
import static io.streamlm.backend.cpu.MatMul.I;
import static io.streamlm.backend.cpu.MatMul.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The matmul kernel for BF16 weights repacked at load ({@link Weight#packed}): panels of {@link #PANEL}
 * weight rows stored column by column, so one 64-byte load brings column k of 32 rows (int lane j holds row
 * j in its low half and row j + LANES in its high half). Shift-left-16 and AND 0xFFFF0000 turn it into two
 * float vectors without any lane conversion; each activation value x[t][k] is broadcast and multiplied into
 * both, for up to 8 activation rows at once: 16 accumulators, no horizontal reductions, every weight byte
 * read once per call (once per token block for prefill-sized calls).
 *
 * <p>x arrives transposed in tiles ({@link #transpose}): tile widths 8, then 4, 2, 1 for the remainder, and
 * the dot products run in blocks of {@link #K_BLOCK} columns (summed in order) so a panel's block stays in
 * L1 while the tiles of a token block pass over it.
 *
 * <p>The kernels are unrolled by hand and store their accumulators straight into the scratch array: a helper
 * taking a FloatVector argument was not inlined into the large kernel8 (C2's NodeCountInliningCutoff), which
 * boxed all 16 accumulators at every block and halved the kernel (87 vs 162 GFLOP/s per thread).
 */
final class PackedGemm {
    private PackedGemm() {}

    /** Weight rows per panel: two float vectors. */
    static final int PANEL = 2 * LANES;
    /** Columns per block of the dot products. */
    static final int K_BLOCK = 256;
    /** Activation rows per token block (a multiple of 8): x's block of K_BLOCK columns stays in L2. */
    static final int TOKEN_BLOCK = 128;
    /** Offset in the scratch array where a kernel leaves one tile's block sums (after the token block's sums). */
    private static final int BLOCK_SUMS = TOKEN_BLOCK * PANEL;
    /** Floats of scratch {@link #panels} needs. */
    static final int SCRATCH = BLOCK_SUMS + 8 * PANEL;

    /** Width of the tile that starts at row {@code t} of {@code n}: 8 while 8 remain, then 4, 2, 1. */
    static int tileWidth(int t, int n) {
        int left = n - t;
        return left >= 8 ? 8 : left >= 4 ? 4 : left >= 2 ? 2 : 1;
    }

    /**
     * x [n, cols] into tiles: the tile of width w starting at row t0 holds {@code x[t0 + b][k]} at
     * {@code t0 * cols + k * w + b}. Rows [t0Start, t0End) of whole tiles only.
     */
    static void transpose(float[] x, int n, int cols, float[] xT, int rowStart, int rowEnd) {
        for (int t0 = rowStart; t0 < rowEnd; ) {
            int w = tileWidth(t0, n);
            int base = t0 * cols;
            for (int b = 0; b < w; b++) {
                int src = (t0 + b) * cols;
                for (int k = 0; k < cols; k++) {
                    xT[base + k * w + b] = x[src + k];
                }
            }
            t0 += w;
        }
    }

    /**
     * {@code out[outOff + t * outStride + r] = sum_k W[r][k] * x[t][k]} for the rows of panels [p0, p1) that
     * exist ({@code r < rows}) and t < n.
     *
     * @param sums scratch of {@link #SCRATCH} floats
     */
    static void panels(int[] w, int rows, int cols, int p0, int p1, float[] xT, int n, float[] out, int outOff,
                       int outStride, float[] sums) {
        for (int tb = 0; tb < n; tb += TOKEN_BLOCK) {
            int te = Math.min(n, tb + TOKEN_BLOCK);
            for (int p = p0; p < p1; p++) {
                int panelBase = p * cols * LANES;
                for (int k0 = 0; k0 < cols; k0 += K_BLOCK) {
                    int kLen = Math.min(K_BLOCK, cols - k0);
                    int wo = panelBase + k0 * LANES;
                    for (int t0 = tb; t0 < te; ) {
                        int tw = tileWidth(t0, n);
                        int xo = t0 * cols + k0 * tw;
                        switch (tw) {
                            case 8 -> kernel8(w, wo, kLen, xT, xo, sums, BLOCK_SUMS);
                            case 4 -> kernel4(w, wo, kLen, xT, xo, sums, BLOCK_SUMS);
                            case 2 -> kernel2(w, wo, kLen, xT, xo, sums, BLOCK_SUMS);
                            default -> kernel1(w, wo, kLen, xT, xo, sums, BLOCK_SUMS);
                        }
                        accumulate(sums, (t0 - tb) * PANEL, tw * PANEL, k0 == 0);
                        t0 += tw;
                    }
                }
                writeOut(sums, te - tb, p * PANEL, rows, out, outOff + tb * outStride, outStride);
            }
        }
    }

    /** sums[o, o + len) = (or +=) the block sums the kernel left at BLOCK_SUMS. */
    private static void accumulate(float[] sums, int o, int len, boolean first) {
        for (int i = 0; i < len; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, sums, BLOCK_SUMS + i);
            (first ? v : v.add(FloatVector.fromArray(F, sums, o + i))).intoArray(sums, o + i);
        }
    }

    private static void writeOut(float[] sums, int nt, int r0, int rows, float[] out, int o, int outStride) {
        int nr = Math.min(PANEL, rows - r0);
        for (int t = 0; t < nt; t++) {
            int dst = o + t * outStride + r0;
            int src = t * PANEL;
            if (nr == PANEL) {
                FloatVector.fromArray(F, sums, src).intoArray(out, dst);
                FloatVector.fromArray(F, sums, src + LANES).intoArray(out, dst + LANES);
            } else {
                System.arraycopy(sums, src, out, dst, nr);
            }
        }
    }

    private static FloatVector even(IntVector v) {
        return v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static FloatVector odd(IntVector v) {
        return v.and(0xFFFF0000).reinterpretAsFloats();
    }

    private static void kernel8(int[] w, int wo, int kLen, float[] xT, int xo, float[] s, int so) {
        FloatVector e0 = FloatVector.zero(F), e1 = e0, e2 = e0, e3 = e0, e4 = e0, e5 = e0, e6 = e0, e7 = e0;
        FloatVector o0 = e0, o1 = e0, o2 = e0, o3 = e0, o4 = e0, o5 = e0, o6 = e0, o7 = e0;
        for (int k = 0; k < kLen; k++) {
            IntVector v = IntVector.fromArray(I, w, wo + k * LANES);
            FloatVector ev = even(v);
            FloatVector od = odd(v);
            int xi = xo + 8 * k;
            FloatVector x = FloatVector.broadcast(F, xT[xi]);
            e0 = ev.fma(x, e0);
            o0 = od.fma(x, o0);
            x = FloatVector.broadcast(F, xT[xi + 1]);
            e1 = ev.fma(x, e1);
            o1 = od.fma(x, o1);
            x = FloatVector.broadcast(F, xT[xi + 2]);
            e2 = ev.fma(x, e2);
            o2 = od.fma(x, o2);
            x = FloatVector.broadcast(F, xT[xi + 3]);
            e3 = ev.fma(x, e3);
            o3 = od.fma(x, o3);
            x = FloatVector.broadcast(F, xT[xi + 4]);
            e4 = ev.fma(x, e4);
            o4 = od.fma(x, o4);
            x = FloatVector.broadcast(F, xT[xi + 5]);
            e5 = ev.fma(x, e5);
            o5 = od.fma(x, o5);
            x = FloatVector.broadcast(F, xT[xi + 6]);
            e6 = ev.fma(x, e6);
            o6 = od.fma(x, o6);
            x = FloatVector.broadcast(F, xT[xi + 7]);
            e7 = ev.fma(x, e7);
            o7 = od.fma(x, o7);
        }
        e0.intoArray(s, so);
        o0.intoArray(s, so + LANES);
        e1.intoArray(s, so + PANEL);
        o1.intoArray(s, so + PANEL + LANES);
        e2.intoArray(s, so + 2 * PANEL);
        o2.intoArray(s, so + 2 * PANEL + LANES);
        e3.intoArray(s, so + 3 * PANEL);
        o3.intoArray(s, so + 3 * PANEL + LANES);
        e4.intoArray(s, so + 4 * PANEL);
        o4.intoArray(s, so + 4 * PANEL + LANES);
        e5.intoArray(s, so + 5 * PANEL);
        o5.intoArray(s, so + 5 * PANEL + LANES);
        e6.intoArray(s, so + 6 * PANEL);
        o6.intoArray(s, so + 6 * PANEL + LANES);
        e7.intoArray(s, so + 7 * PANEL);
        o7.intoArray(s, so + 7 * PANEL + LANES);
    }

    private static void kernel4(int[] w, int wo, int kLen, float[] xT, int xo, float[] s, int so) {
        FloatVector e0 = FloatVector.zero(F), e1 = e0, e2 = e0, e3 = e0, o0 = e0, o1 = e0, o2 = e0, o3 = e0;
        for (int k = 0; k < kLen; k++) {
            IntVector v = IntVector.fromArray(I, w, wo + k * LANES);
            FloatVector ev = even(v);
            FloatVector od = odd(v);
            int xi = xo + 4 * k;
            FloatVector x = FloatVector.broadcast(F, xT[xi]);
            e0 = ev.fma(x, e0);
            o0 = od.fma(x, o0);
            x = FloatVector.broadcast(F, xT[xi + 1]);
            e1 = ev.fma(x, e1);
            o1 = od.fma(x, o1);
            x = FloatVector.broadcast(F, xT[xi + 2]);
            e2 = ev.fma(x, e2);
            o2 = od.fma(x, o2);
            x = FloatVector.broadcast(F, xT[xi + 3]);
            e3 = ev.fma(x, e3);
            o3 = od.fma(x, o3);
        }
        e0.intoArray(s, so);
        o0.intoArray(s, so + LANES);
        e1.intoArray(s, so + PANEL);
        o1.intoArray(s, so + PANEL + LANES);
        e2.intoArray(s, so + 2 * PANEL);
        o2.intoArray(s, so + 2 * PANEL + LANES);
        e3.intoArray(s, so + 3 * PANEL);
        o3.intoArray(s, so + 3 * PANEL + LANES);
    }

    private static void kernel2(int[] w, int wo, int kLen, float[] xT, int xo, float[] s, int so) {
        FloatVector e0 = FloatVector.zero(F), e1 = e0, o0 = e0, o1 = e0;
        for (int k = 0; k < kLen; k++) {
            IntVector v = IntVector.fromArray(I, w, wo + k * LANES);
            FloatVector ev = even(v);
            FloatVector od = odd(v);
            int xi = xo + 2 * k;
            FloatVector x = FloatVector.broadcast(F, xT[xi]);
            e0 = ev.fma(x, e0);
            o0 = od.fma(x, o0);
            x = FloatVector.broadcast(F, xT[xi + 1]);
            e1 = ev.fma(x, e1);
            o1 = od.fma(x, o1);
        }
        e0.intoArray(s, so);
        o0.intoArray(s, so + LANES);
        e1.intoArray(s, so + PANEL);
        o1.intoArray(s, so + PANEL + LANES);
    }

    /** One activation row: two interleaved column streams (even and odd k) so four FMA chains run at once. */
    private static void kernel1(int[] w, int wo, int kLen, float[] xT, int xo, float[] s, int so) {
        FloatVector e0 = FloatVector.zero(F), e1 = e0, o0 = e0, o1 = e0;
        int k = 0;
        for (; k + 2 <= kLen; k += 2) {
            IntVector v = IntVector.fromArray(I, w, wo + k * LANES);
            IntVector u = IntVector.fromArray(I, w, wo + (k + 1) * LANES);
            FloatVector x = FloatVector.broadcast(F, xT[xo + k]);
            FloatVector y = FloatVector.broadcast(F, xT[xo + k + 1]);
            e0 = even(v).fma(x, e0);
            o0 = odd(v).fma(x, o0);
            e1 = even(u).fma(y, e1);
            o1 = odd(u).fma(y, o1);
        }
        if (k < kLen) {
            IntVector v = IntVector.fromArray(I, w, wo + k * LANES);
            FloatVector x = FloatVector.broadcast(F, xT[xo + k]);
            e0 = even(v).fma(x, e0);
            o0 = odd(v).fma(x, o0);
        }
        e0.add(e1).intoArray(s, so);
        o0.add(o1).intoArray(s, so + LANES);
    }
}
