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
 * trick, 4 weight rows against 2 activation rows per pass (8 accumulators; each widened weight vector feeds
 * 2 FMAs), the 4 rows' bytes (4 x cols x 2 B) staying in L1 while later pairs of activation rows pass.
 * Widening into a scratch panel first would cost a store and a reload per weight element, which at this
 * batch size is as much work as the FMAs.
 */
final class SmallBatchGemm {
    private SmallBatchGemm() {}

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** out[outOff + t * outStride + r] for r in [r0, r1), t < numX; x [numX, n] in pair layout. */
    static void rows(Weight w, int r0, int r1, float[] x, int numX, float[] out, int outOff, int outStride) {
        int n = w.cols;
        int r = r0;
        for (; r + 4 <= r1; r += 4) {
            ByteBuffer b0 = w.buffer(r), b1 = w.buffer(r + 1), b2 = w.buffer(r + 2), b3 = w.buffer(r + 3);
            int p0 = w.offset(r), p1 = w.offset(r + 1), p2 = w.offset(r + 2), p3 = w.offset(r + 3);
            int t = 0;
            for (; t + 2 <= numX; t += 2) {
                quadPair(b0, p0, b1, p1, b2, p2, b3, p3, x, t * n, (t + 1) * n, n, out,
                        outOff + t * outStride + r, outOff + (t + 1) * outStride + r);
            }
            for (; t < numX; t++) {
                out[outOff + t * outStride + r] = MatMul.dotBf16(b0, p0, x, t * n, n);
                out[outOff + t * outStride + r + 1] = MatMul.dotBf16(b1, p1, x, t * n, n);
                out[outOff + t * outStride + r + 2] = MatMul.dotBf16(b2, p2, x, t * n, n);
                out[outOff + t * outStride + r + 3] = MatMul.dotBf16(b3, p3, x, t * n, n);
            }
        }
        for (; r < r1; r++) {
            for (int t = 0; t < numX; t++) {
                out[outOff + t * outStride + r] = MatMul.dotBf16(w.buffer(r), w.offset(r), x, t * n, n);
            }
        }
    }

    private static void quadPair(ByteBuffer b0, int p0, ByteBuffer b1, int p1, ByteBuffer b2, int p2, ByteBuffer b3,
                                 int p3, float[] x, int xa, int xb, int n, float[] out, int oa, int ob) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0;
        int blocks = n - n % PAIR_BLOCK;
        for (int c = 0; c < blocks; c += PAIR_BLOCK) {
            FloatVector xae = FloatVector.fromArray(F, x, xa + c);
            FloatVector xao = FloatVector.fromArray(F, x, xa + c + LANES);
            FloatVector xbe = FloatVector.fromArray(F, x, xb + c);
            FloatVector xbo = FloatVector.fromArray(F, x, xb + c + LANES);
            IntVector v = IntVector.fromByteBuffer(I, b0, p0 + 2 * c, LE);
            FloatVector e = v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector o = v.and(0xFFFF0000).reinterpretAsFloats();
            a0 = o.fma(xao, e.fma(xae, a0));
            c0 = o.fma(xbo, e.fma(xbe, c0));
            v = IntVector.fromByteBuffer(I, b1, p1 + 2 * c, LE);
            e = v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            o = v.and(0xFFFF0000).reinterpretAsFloats();
            a1 = o.fma(xao, e.fma(xae, a1));
            c1 = o.fma(xbo, e.fma(xbe, c1));
            v = IntVector.fromByteBuffer(I, b2, p2 + 2 * c, LE);
            e = v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            o = v.and(0xFFFF0000).reinterpretAsFloats();
            a2 = o.fma(xao, e.fma(xae, a2));
            c2 = o.fma(xbo, e.fma(xbe, c2));
            v = IntVector.fromByteBuffer(I, b3, p3 + 2 * c, LE);
            e = v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            o = v.and(0xFFFF0000).reinterpretAsFloats();
            a3 = o.fma(xao, e.fma(xae, a3));
            c3 = o.fma(xbo, e.fma(xbe, c3));
        }
        float[] s = {a0.reduceLanes(VectorOperators.ADD), a1.reduceLanes(VectorOperators.ADD),
            a2.reduceLanes(VectorOperators.ADD), a3.reduceLanes(VectorOperators.ADD)};
        float[] u = {c0.reduceLanes(VectorOperators.ADD), c1.reduceLanes(VectorOperators.ADD),
            c2.reduceLanes(VectorOperators.ADD), c3.reduceLanes(VectorOperators.ADD)};
        for (int c = blocks; c < n; c++) {
            float w0 = bf16(b0, p0 + 2 * c), w1 = bf16(b1, p1 + 2 * c), w2 = bf16(b2, p2 + 2 * c), w3 = bf16(b3, p3 + 2 * c);
            s[0] += w0 * x[xa + c];
            s[1] += w1 * x[xa + c];
            s[2] += w2 * x[xa + c];
            s[3] += w3 * x[xa + c];
            u[0] += w0 * x[xb + c];
            u[1] += w1 * x[xb + c];
            u[2] += w2 * x[xb + c];
            u[3] += w3 * x[xb + c];
        }
        for (int k = 0; k < 4; k++) {
            out[oa + k] = s[k];
            out[ob + k] = u[k];
        }
    }

    private static float bf16(ByteBuffer b, int p) {
        return Float.intBitsToFloat((b.getShort(p) & 0xFFFF) << 16);
    }
}
