package io.streamlm.backend.cpu;

import static io.streamlm.backend.cpu.MatMul.F;
import static io.streamlm.backend.cpu.MatMul.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The batched matmul's inner kernel: a panel of widened weight rows dotted with every activation row,
 * 4 weight rows x 4 activation rows at a time in 16 vector accumulators (Java 17 keeps 16 in registers;
 * 24+ spill to the stack), so each loaded vector feeds 4 FMAs.
 */
final class Gemm {
    private Gemm() {}

    /** Activation floats per block (256 KB): with a widened panel this stays within a core's L2. */
    private static final int X_BLOCK_FLOATS = 64 * 1024;

    /**
     * {@code out[outBase + t * outStride + i] = dot(panel[i * n ..], x[t * n ..], n)} for i < numW, t < numX.
     *
     * @param panel [numW, n] widened weight rows
     * @param x     [numX, n] activation rows, same element layout as the panel
     */
    static void panelTimesRows(float[] panel, int numW, float[] x, int numX, int n, float[] out, int outBase,
                               int outStride) {
        // x rows in blocks small enough to stay in L2 while every 4-row slice of the panel passes over them
        int blockRows = Math.max(4, (X_BLOCK_FLOATS / n) & ~3);
        for (int tb = 0; tb < numX; tb += blockRows) {
            int te = Math.min(numX, tb + blockRows);
            int i = 0;
            for (; i + 4 <= numW; i += 4) {
                int t = tb;
                for (; t + 4 <= te; t += 4) {
                    dot4x4(panel, i * n, x, t * n, n, out, outBase + t * outStride + i, outStride);
                }
                for (; t < te; t++) {
                    dot4x1(panel, i * n, x, t * n, n, out, outBase + t * outStride + i);
                }
            }
            for (; i < numW; i++) {
                for (int t = tb; t < te; t++) {
                    out[outBase + t * outStride + i] = VecOps.dot(panel, i * n, x, t * n, n);
                }
            }
        }
    }

    private static void dot4x4(float[] w, int w0, float[] x, int x0, int n, float[] out, int o, int oStride) {
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int vec = F.loopBound(n);
        int w1 = w0 + n, w2 = w1 + n, w3 = w2 + n;
        int x1 = x0 + n, x2 = x1 + n, x3 = x2 + n;
        for (int c = 0; c < vec; c += LANES) {
            FloatVector v0 = FloatVector.fromArray(F, w, w0 + c);
            FloatVector v1 = FloatVector.fromArray(F, w, w1 + c);
            FloatVector v2 = FloatVector.fromArray(F, w, w2 + c);
            FloatVector v3 = FloatVector.fromArray(F, w, w3 + c);
            FloatVector y = FloatVector.fromArray(F, x, x0 + c);
            a00 = v0.fma(y, a00);
            a01 = v1.fma(y, a01);
            a02 = v2.fma(y, a02);
            a03 = v3.fma(y, a03);
            y = FloatVector.fromArray(F, x, x1 + c);
            a10 = v0.fma(y, a10);
            a11 = v1.fma(y, a11);
            a12 = v2.fma(y, a12);
            a13 = v3.fma(y, a13);
            y = FloatVector.fromArray(F, x, x2 + c);
            a20 = v0.fma(y, a20);
            a21 = v1.fma(y, a21);
            a22 = v2.fma(y, a22);
            a23 = v3.fma(y, a23);
            y = FloatVector.fromArray(F, x, x3 + c);
            a30 = v0.fma(y, a30);
            a31 = v1.fma(y, a31);
            a32 = v2.fma(y, a32);
            a33 = v3.fma(y, a33);
        }
        store4(a00, a01, a02, a03, w, w0, x, x0, vec, n, out, o);
        store4(a10, a11, a12, a13, w, w0, x, x1, vec, n, out, o + oStride);
        store4(a20, a21, a22, a23, w, w0, x, x2, vec, n, out, o + 2 * oStride);
        store4(a30, a31, a32, a33, w, w0, x, x3, vec, n, out, o + 3 * oStride);
    }

    private static void dot4x1(float[] w, int w0, float[] x, int x0, int n, float[] out, int o) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int vec = F.loopBound(n);
        int w1 = w0 + n, w2 = w1 + n, w3 = w2 + n;
        for (int c = 0; c < vec; c += LANES) {
            FloatVector y = FloatVector.fromArray(F, x, x0 + c);
            a0 = FloatVector.fromArray(F, w, w0 + c).fma(y, a0);
            a1 = FloatVector.fromArray(F, w, w1 + c).fma(y, a1);
            a2 = FloatVector.fromArray(F, w, w2 + c).fma(y, a2);
            a3 = FloatVector.fromArray(F, w, w3 + c).fma(y, a3);
        }
        store4(a0, a1, a2, a3, w, w0, x, x0, vec, n, out, o);
    }

    /** Reduces 4 accumulators (weight rows w0.. w0+3n against one x row), adds the scalar tails, stores 4 outputs. */
    private static void store4(FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3, float[] w, int w0,
                               float[] x, int xr, int vec, int n, float[] out, int o) {
        float s0 = a0.reduceLanes(VectorOperators.ADD);
        float s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD);
        float s3 = a3.reduceLanes(VectorOperators.ADD);
        for (int c = vec; c < n; c++) {
            float xv = x[xr + c];
            s0 += w[w0 + c] * xv;
            s1 += w[w0 + n + c] * xv;
            s2 += w[w0 + 2 * n + c] * xv;
            s3 += w[w0 + 3 * n + c] * xv;
        }
        out[o] = s0;
        out[o + 1] = s1;
        out[o + 2] = s2;
        out[o + 3] = s3;
    }
}
