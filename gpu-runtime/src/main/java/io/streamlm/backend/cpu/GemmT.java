package io.streamlm.backend.cpu;

import static io.streamlm.backend.cpu.MatMul.F;
import static io.streamlm.backend.cpu.MatMul.LANES;

import jdk.incubator.vector.FloatVector;

/**
 * The prefill-sized matmul kernel: vectorised along the tokens instead of along the dot product, against
 * x transposed once per call into tiles of TILE tokens ({@code xT [tp / TILE, cols, TILE]}, tokens padded
 * with zeros), so a kernel streams its tile's x contiguously. Each weight value of a widened panel is broadcast and multiplied into 2 vectors of tokens for 8
 * weight rows at a time: 16 accumulators, no horizontal reductions, x streamed from L2 once per 8 rows.
 */
final class GemmT {
    private GemmT() {}

    /** Tokens per x tile: two vectors. */
    static final int TILE = 2 * LANES;

    /**
     * {@code out[outBase + t * outStride + i] = dot(panel[i * n ..], x[t])} for i < numW, t < numX, where
     * {@code xT[(t / TILE) * n * TILE + c * TILE + t % TILE] = x[t][c]}.
     */
    static void panelTimesRows(float[] panel, int numW, float[] xT, int numX, int n, float[] out,
                               int outBase, int outStride, float[] tile) {
        for (int t0 = 0; t0 < numX; t0 += TILE) {
            boolean two = t0 + LANES < numX;
            int base = t0 * n; // (t0 / TILE) * n * TILE
            int i = 0;
            for (; i + 8 <= numW; i += 8) {
                if (two) {
                    kernel8x2(panel, i * n, n, xT, base, tile);
                    scatter(tile, 8, 2 * LANES, t0, numX, out, outBase + i, outStride);
                } else {
                    kernel8x1(panel, i * n, n, xT, base, tile);
                    scatter(tile, 8, LANES, t0, numX, out, outBase + i, outStride);
                }
            }
            for (; i < numW; i++) {
                kernel1(panel, i * n, n, xT, base, two ? 2 : 1, tile);
                scatter(tile, 1, 2 * LANES, t0, numX, out, outBase + i, outStride);
            }
        }
    }

    /** tile [rows][width] -> out[t][row] for the tokens t0.. that exist. */
    private static void scatter(float[] tile, int rows, int width, int t0, int numX, float[] out, int base,
                                int outStride) {
        int nt = Math.min(width, numX - t0);
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < nt; t++) {
                out[base + (t0 + t) * outStride + r] = tile[r * width + t];
            }
        }
    }

    private static void kernel8x2(float[] w, int w0, int n, float[] xT, int base, float[] tile) {
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00,
                a31 = a00, a40 = a00, a41 = a00, a50 = a00, a51 = a00, a60 = a00, a61 = a00, a70 = a00, a71 = a00;
        for (int c = 0; c < n; c++) {
            int xo = base + c * TILE;
            FloatVector x0 = FloatVector.fromArray(F, xT, xo);
            FloatVector x1 = FloatVector.fromArray(F, xT, xo + LANES);
            int wo = w0 + c;
            FloatVector b = FloatVector.broadcast(F, w[wo]);
            a00 = b.fma(x0, a00);
            a01 = b.fma(x1, a01);
            b = FloatVector.broadcast(F, w[wo + n]);
            a10 = b.fma(x0, a10);
            a11 = b.fma(x1, a11);
            b = FloatVector.broadcast(F, w[wo + 2 * n]);
            a20 = b.fma(x0, a20);
            a21 = b.fma(x1, a21);
            b = FloatVector.broadcast(F, w[wo + 3 * n]);
            a30 = b.fma(x0, a30);
            a31 = b.fma(x1, a31);
            b = FloatVector.broadcast(F, w[wo + 4 * n]);
            a40 = b.fma(x0, a40);
            a41 = b.fma(x1, a41);
            b = FloatVector.broadcast(F, w[wo + 5 * n]);
            a50 = b.fma(x0, a50);
            a51 = b.fma(x1, a51);
            b = FloatVector.broadcast(F, w[wo + 6 * n]);
            a60 = b.fma(x0, a60);
            a61 = b.fma(x1, a61);
            b = FloatVector.broadcast(F, w[wo + 7 * n]);
            a70 = b.fma(x0, a70);
            a71 = b.fma(x1, a71);
        }
        int s = 2 * LANES;
        a00.intoArray(tile, 0);
        a01.intoArray(tile, LANES);
        a10.intoArray(tile, s);
        a11.intoArray(tile, s + LANES);
        a20.intoArray(tile, 2 * s);
        a21.intoArray(tile, 2 * s + LANES);
        a30.intoArray(tile, 3 * s);
        a31.intoArray(tile, 3 * s + LANES);
        a40.intoArray(tile, 4 * s);
        a41.intoArray(tile, 4 * s + LANES);
        a50.intoArray(tile, 5 * s);
        a51.intoArray(tile, 5 * s + LANES);
        a60.intoArray(tile, 6 * s);
        a61.intoArray(tile, 6 * s + LANES);
        a70.intoArray(tile, 7 * s);
        a71.intoArray(tile, 7 * s + LANES);
    }

    private static void kernel8x1(float[] w, int w0, int n, float[] xT, int base, float[] tile) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int c = 0; c < n; c++) {
            FloatVector x0 = FloatVector.fromArray(F, xT, base + c * TILE);
            int wo = w0 + c;
            a0 = FloatVector.broadcast(F, w[wo]).fma(x0, a0);
            a1 = FloatVector.broadcast(F, w[wo + n]).fma(x0, a1);
            a2 = FloatVector.broadcast(F, w[wo + 2 * n]).fma(x0, a2);
            a3 = FloatVector.broadcast(F, w[wo + 3 * n]).fma(x0, a3);
            a4 = FloatVector.broadcast(F, w[wo + 4 * n]).fma(x0, a4);
            a5 = FloatVector.broadcast(F, w[wo + 5 * n]).fma(x0, a5);
            a6 = FloatVector.broadcast(F, w[wo + 6 * n]).fma(x0, a6);
            a7 = FloatVector.broadcast(F, w[wo + 7 * n]).fma(x0, a7);
        }
        a0.intoArray(tile, 0);
        a1.intoArray(tile, LANES);
        a2.intoArray(tile, 2 * LANES);
        a3.intoArray(tile, 3 * LANES);
        a4.intoArray(tile, 4 * LANES);
        a5.intoArray(tile, 5 * LANES);
        a6.intoArray(tile, 6 * LANES);
        a7.intoArray(tile, 7 * LANES);
    }

    /** One weight row against 1 or 2 token vectors; tile row width 2 * LANES. */
    private static void kernel1(float[] w, int w0, int n, float[] xT, int base, int numVec, float[] tile) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        for (int c = 0; c < n; c++) {
            FloatVector b = FloatVector.broadcast(F, w[w0 + c]);
            a0 = b.fma(FloatVector.fromArray(F, xT, base + c * TILE), a0);
            if (numVec == 2) {
                a1 = b.fma(FloatVector.fromArray(F, xT, base + c * TILE + LANES), a1);
            }
        }
        a0.intoArray(tile, 0);
        a1.intoArray(tile, LANES);
    }
}
