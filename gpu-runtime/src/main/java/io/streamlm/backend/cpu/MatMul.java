package io.streamlm.backend.cpu;

import io.streamlm.model.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code out[t][r] = sum_c W[r][c] * x[t][c]} over a batch of activation rows, splitting W's rows across the
 * worker pool.
 *
 * <p>One row (decode at batch 1) streams W straight from its bytes: BF16 with the "pair" trick (32 BF16
 * loaded as 16 ints; shift-left-16 gives the even elements as floats, AND 0xFFFF0000 the odd ones), against
 * x split once into even/odd halves per block ("pair layout"), so no lane conversion is needed. Several rows
 * (batched decode, prefill) widen a panel of W rows once into a small per-thread float scratch and apply it
 * to every activation row with a 4x4 register-tiled dot kernel, so each weight byte is read once per call.
 */
final class MatMul {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    static final int LANES = F.length();
    /** BF16 elements per pair load: one int vector holds two BF16 per lane. */
    static final int PAIR_BLOCK = 2 * LANES;
    /** Weight rows widened at once in the batched path (a panel of 16 x 3584 floats is 229 KB: L2). */
    static final int PANEL_ROWS = 16;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private final WorkerPool pool;
    private float[] xLayout = new float[0];      // [numRows, cols] x in the weight's layout (pair layout for BF16)
    private final float[][] panels;              // [numThreads][PANEL_ROWS * maxCols] widened weight rows
    private final WorkerPool.Task task = this::runPart;
    // the call in flight (written by the driving thread before pool.run, read by the parts)
    private Weight w;
    private float[] xs;
    private int numRows;
    private float[] out;
    private int outOff;

    MatMul(WorkerPool pool, int maxCols) {
        this.pool = pool;
        this.panels = new float[pool.numThreads()][PANEL_ROWS * maxCols];
    }

    /**
     * {@code out[outOff + t * weight.rows + r] = dot(W[r], x[t * weight.cols ..])} for {@code t < numRows}.
     *
     * @param x   [numRows, weight.cols] activations
     * @param out [numRows, weight.rows] from {@code outOff}
     */
    void apply(Weight weight, float[] x, int numRows, float[] out, int outOff) {
        int n = numRows * weight.cols;
        if (xLayout.length < n) {
            xLayout = new float[Math.max(n, xLayout.length * 2)];
        }
        if (weight.dtype == DType.BF16) {
            for (int t = 0; t < numRows; t++) {
                toPairLayout(x, t * weight.cols, xLayout, t * weight.cols, weight.cols);
            }
        } else {
            System.arraycopy(x, 0, xLayout, 0, n);
        }
        this.w = weight;
        this.xs = xLayout;
        this.numRows = numRows;
        this.out = out;
        this.outOff = outOff;
        pool.run(task);
        this.w = null;
        this.xs = null;
        this.out = null;
    }

    void apply(Weight weight, float[] x, int numRows, float[] out) {
        apply(weight, x, numRows, out, 0);
    }

    private void runPart(int part, int numParts) {
        Weight wt = w;
        int align = numRows == 1 ? 4 : PANEL_ROWS;
        int r0 = WorkerPool.splitStart(wt.rows, part, numParts, align);
        int r1 = WorkerPool.splitStart(wt.rows, part + 1, numParts, align);
        if (r0 >= r1) {
            return;
        }
        if (numRows == 1) {
            if (wt.dtype == DType.BF16) {
                for (int r = r0; r < r1; r++) {
                    out[outOff + r] = dotBf16(wt.buffer(r), wt.offset(r), xs, 0, wt.cols);
                }
            } else {
                for (int r = r0; r < r1; r++) {
                    out[outOff + r] = dotF32(wt.buffer(r), wt.offset(r), xs, 0, wt.cols);
                }
            }
            return;
        }
        float[] panel = panels[part];
        for (int p = r0; p < r1; p += PANEL_ROWS) {
            int nr = Math.min(PANEL_ROWS, r1 - p);
            for (int i = 0; i < nr; i++) {
                widenRow(wt, p + i, panel, i * wt.cols);
            }
            Gemm.panelTimesRows(panel, nr, xs, numRows, wt.cols, out, outOff + p, wt.rows);
        }
    }

    /** Writes {@code n} values of {@code src} in pair layout: per block of PAIR_BLOCK, the evens then the odds; the tail as is. */
    static void toPairLayout(float[] src, int srcOff, float[] dst, int dstOff, int n) {
        int blocks = n - n % PAIR_BLOCK;
        for (int b = 0; b < blocks; b += PAIR_BLOCK) {
            for (int i = 0; i < LANES; i++) {
                dst[dstOff + b + i] = src[srcOff + b + 2 * i];
                dst[dstOff + b + LANES + i] = src[srcOff + b + 2 * i + 1];
            }
        }
        System.arraycopy(src, srcOff + blocks, dst, dstOff + blocks, n - blocks);
    }

    /** Row {@code row} of W as floats in the layout {@link #apply} gives x (pair layout for BF16). */
    static void widenRow(Weight wt, int row, float[] dst, int dstOff) {
        ByteBuffer b = wt.buffer(row);
        int p = wt.offset(row);
        int n = wt.cols;
        if (wt.dtype == DType.BF16) {
            int blocks = n - n % PAIR_BLOCK;
            for (int c = 0; c < blocks; c += PAIR_BLOCK) {
                IntVector v = IntVector.fromByteBuffer(I, b, p + 2 * c, LE);
                v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, dstOff + c);
                v.and(0xFFFF0000).reinterpretAsFloats().intoArray(dst, dstOff + c + LANES);
            }
            for (int c = blocks; c < n; c++) {
                dst[dstOff + c] = Float.intBitsToFloat((b.getShort(p + 2 * c) & 0xFFFF) << 16);
            }
        } else {
            int vec = F.loopBound(n);
            for (int c = 0; c < vec; c += LANES) {
                FloatVector.fromByteBuffer(F, b, p + 4 * c, LE).intoArray(dst, dstOff + c);
            }
            for (int c = vec; c < n; c++) {
                dst[dstOff + c] = b.getFloat(p + 4 * c);
            }
        }
    }

    /** BF16 row at byte {@code p} of {@code b} . x (x in pair layout). */
    static float dotBf16(ByteBuffer b, int p, float[] x, int xOff, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int blocks = n - n % PAIR_BLOCK;
        for (int c = 0; c < blocks; c += PAIR_BLOCK) {
            IntVector v = IntVector.fromByteBuffer(I, b, p + 2 * c, LE);
            FloatVector even = v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector odd = v.and(0xFFFF0000).reinterpretAsFloats();
            acc0 = even.fma(FloatVector.fromArray(F, x, xOff + c), acc0);
            acc1 = odd.fma(FloatVector.fromArray(F, x, xOff + c + LANES), acc1);
        }
        float s = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (int c = blocks; c < n; c++) {
            s += Float.intBitsToFloat((b.getShort(p + 2 * c) & 0xFFFF) << 16) * x[xOff + c];
        }
        return s;
    }

    /** F32 row at byte {@code p} of {@code b} . x. */
    static float dotF32(ByteBuffer b, int p, float[] x, int xOff, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        int vec = F.loopBound(n);
        for (int c = 0; c < vec; c += LANES) {
            acc0 = FloatVector.fromByteBuffer(F, b, p + 4 * c, LE).fma(FloatVector.fromArray(F, x, xOff + c), acc0);
        }
        float s = acc0.reduceLanes(VectorOperators.ADD);
        for (int c = vec; c < n; c++) {
            s += b.getFloat(p + 4 * c) * x[xOff + c];
        }
        return s;
    }
}
