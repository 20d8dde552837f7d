package io.streamlm.backend.cpu;

import static io.streamlm.backend.cpu.MatMul.F;
import static io.streamlm.backend.cpu.MatMul.I;
import static io.streamlm.backend.cpu.MatMul.LANES;
import static io.streamlm.backend.cpu.MatMul.PAIR_BLOCK;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Batched decode (a few activation rows): BF16 weights streamed straight from their bytes with the pair
 * trick, one weight row against 4 (or 2) activation rows per pass, even and odd halves in separate
 * accumulators (8 independent FMA chains), so each widened weight vector feeds 4 FMAs. The earlier kernel
 * (4 weight rows x 2 activation rows, two chained FMAs per accumulator) ran at 12-16 GFLOP/s per thread
 * standalone against 27 for this one (65536 x 1024 direct BF16 matrix, 2 and 4 rows). Widening into a
 * scratch panel first costs a store and a reload per weight element, as much work as the FMAs at this size.
 */
final class SmallBatchGemm {
    private SmallBatchGemm() {}

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** out[outOff + t * outStride + r] for r in [r0, r1), t < numX; x [numX, n] in pair layout. */
    static void rows(Weight w, int r0, int r1, float[] x, int numX, float[] out, int outOff, int outStride) {
        int n = w.cols;
        for (int r = r0; r < r1; r++) {
            ByteBuffer b = w.buffer(r);
            int p = w.offset(r);
            int t = 0;
            for (; t + 4 <= numX; t += 4) {
                row4(b, p, x, t * n, n, out, outOff + t * outStride + r, outStride);
            }
            for (; t + 2 <= numX; t += 2) {
                row2(b, p, x, t * n, n, out, outOff + t * outStride + r, outStride);
            }
            for (; t < numX; t++) {
                out[outOff + t * outStride + r] = MatMul.dotBf16(b, p, x, t * n, n);
            }
        }
    }

    /**
     * One BF16 row (byte {@code p} of {@code b}) against 4 activation rows (x rows at xa + k * n, pair layout):
     * each widened weight vector feeds 4 FMAs; even and odd halves accumulate apart (8 independent chains).
     */
    static void row4(ByteBuffer b, int p, float[] x, int xa, int n, float[] out, int o, int oStride) {
        FloatVector e0 = FloatVector.zero(F), e1 = e0, e2 = e0, e3 = e0, o0 = e0, o1 = e0, o2 = e0, o3 = e0;
        int blocks = n - n % PAIR_BLOCK;
        int x1 = xa + n, x2 = x1 + n, x3 = x2 + n;
        for (int c = 0; c < blocks; c += PAIR_BLOCK) {
            IntVector v = IntVector.fromByteBuffer(I, b, p + 2 * c, LE);
            FloatVector e = v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector od = v.and(0xFFFF0000).reinterpretAsFloats();
            e0 = e.fma(FloatVector.fromArray(F, x, xa + c), e0);
            o0 = od.fma(FloatVector.fromArray(F, x, xa + c + LANES), o0);
            e1 = e.fma(FloatVector.fromArray(F, x, x1 + c), e1);
            o1 = od.fma(FloatVector.fromArray(F, x, x1 + c + LANES), o1);
            e2 = e.fma(FloatVector.fromArray(F, x, x2 + c), e2);
            o2 = od.fma(FloatVector.fromArray(F, x, x2 + c + LANES), o2);
            e3 = e.fma(FloatVector.fromArray(F, x, x3 + c), e3);
            o3 = od.fma(FloatVector.fromArray(F, x, x3 + c + LANES), o3);
        }
        out[o] = e0.add(o0).reduceLanes(VectorOperators.ADD) + tail(b, p, x, xa, blocks, n);
        out[o + oStride] = e1.add(o1).reduceLanes(VectorOperators.ADD) + tail(b, p, x, x1, blocks, n);
        out[o + 2 * oStride] = e2.add(o2).reduceLanes(VectorOperators.ADD) + tail(b, p, x, x2, blocks, n);
        out[o + 3 * oStride] = e3.add(o3).reduceLanes(VectorOperators.ADD) + tail(b, p, x, x3, blocks, n);
    }

    /** As {@link #row4} for 2 activation rows. */
    static void row2(ByteBuffer b, int p, float[] x, int xa, int n, float[] out, int o, int oStride) {
        FloatVector e0 = FloatVector.zero(F), e1 = e0, o0 = e0, o1 = e0;
        int blocks = n - n % PAIR_BLOCK;
        int x1 = xa + n;
        for (int c = 0; c < blocks; c += PAIR_BLOCK) {
            IntVector v = IntVector.fromByteBuffer(I, b, p + 2 * c, LE);
            FloatVector e = v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector od = v.and(0xFFFF0000).reinterpretAsFloats();
            e0 = e.fma(FloatVector.fromArray(F, x, xa + c), e0);
            o0 = od.fma(FloatVector.fromArray(F, x, xa + c + LANES), o0);
            e1 = e.fma(FloatVector.fromArray(F, x, x1 + c), e1);
            o1 = od.fma(FloatVector.fromArray(F, x, x1 + c + LANES), o1);
        }
        out[o] = e0.add(o0).reduceLanes(VectorOperators.ADD) + tail(b, p, x, xa, blocks, n);
        out[o + oStride] = e1.add(o1).reduceLanes(VectorOperators.ADD) + tail(b, p, x, x1, blocks, n);
    }

    /** The scalar tail [blocks, n) of one row's dot product (x's tail is in plain order). */
    private static float tail(ByteBuffer b, int p, float[] x, int xr, int blocks, int n) {
        float s = 0;
        for (int c = blocks; c < n; c++) {
            s += bf16(b, p + 2 * c) * x[xr + c];
        }
        return s;
    }

    private static float bf16(ByteBuffer b, int p) {
        return Float.intBitsToFloat((b.getShort(p) & 0xFFFF) << 16);
    }
}
