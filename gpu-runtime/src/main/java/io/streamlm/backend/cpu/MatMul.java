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
 * <p>BF16 weights repacked at load ({@link Weight#packed}, the default) go through {@link PackedGemm} at every
 * batch size: x transposed into tiles, panels of 32 rows split across the parts. The paths below serve F32
 * weights and BF16 weights left in their file layout (no heap room).
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
    /** Weight rows widened at once in the batched path (a panel of 32 x 3584 floats is 458 KB: L2). */
    static final int PANEL_ROWS = 32;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private static final int MAX_WEIGHTS = 8;

    private final WorkerPool pool;
    private float[] xLayout = new float[0];      // [numRows, cols] x in the weight's layout (pair layout for BF16)
    private final float[][] panels;              // [numThreads][PANEL_ROWS * maxCols] widened weight rows
    private float[] xT = new float[0];           // [numRows * cols] x in PackedGemm's tiles
    private final WorkerPool.Task task = this::runPart;
    private final WorkerPool.Task packedTransposeTask = this::packedTransposePart;
    private final WorkerPool.Task packedTask = this::packedPart;
    private final float[][] sums;                // [numThreads][PackedGemm.SCRATCH] packed-kernel partial sums
    private final int[] panelStart = new int[MAX_WEIGHTS + 1]; // prefix sums of the weights' panels
    // the call in flight (written by the driving thread before pool.run, read by the parts)
    private final Weight[] ws = new Weight[MAX_WEIGHTS];
    private final float[][] outs = new float[MAX_WEIGHTS][];
    private final int[] rowStart = new int[MAX_WEIGHTS + 1]; // prefix sums of the weights' rows
    private int numWeights;
    private int cols;
    private float[] xs;
    private int numRows;
    private int outOff;

    MatMul(WorkerPool pool, int maxCols) {
        this.pool = pool;
        this.panels = new float[pool.numThreads()][PANEL_ROWS * maxCols];
        this.sums = new float[pool.numThreads()][PackedGemm.SCRATCH];
    }

    /**
     * {@code out[outOff + t * weight.rows + r] = dot(W[r], x[t * weight.cols ..])} for {@code t < numRows}.
     *
     * @param x   [numRows, weight.cols] activations
     * @param out [numRows, weight.rows] from {@code outOff}
     */
    void apply(Weight weight, float[] x, int numRows, float[] out, int outOff) {
        ws[0] = weight;
        outs[0] = out;
        run(1, x, numRows, outOff);
    }

    void apply(Weight weight, float[] x, int numRows, float[] out) {
        apply(weight, x, numRows, out, 0);
    }

    /** Two weights over the same x in one pass (one layout conversion, one hand-off, rows balanced over both). */
    void apply(Weight w0, float[] out0, Weight w1, float[] out1, float[] x, int numRows) {
        ws[0] = w0;
        outs[0] = out0;
        ws[1] = w1;
        outs[1] = out1;
        run(2, x, numRows, 0);
    }

    /** Three weights over the same x in one pass. */
    void apply(Weight w0, float[] out0, Weight w1, float[] out1, Weight w2, float[] out2, float[] x, int numRows) {
        ws[0] = w0;
        outs[0] = out0;
        ws[1] = w1;
        outs[1] = out1;
        ws[2] = w2;
        outs[2] = out2;
        run(3, x, numRows, 0);
    }

    /** Four weights over the same x in one pass. */
    void apply(Weight w0, float[] out0, Weight w1, float[] out1, Weight w2, float[] out2, Weight w3, float[] out3,
               float[] x, int numRows) {
        ws[0] = w0;
        outs[0] = out0;
        ws[1] = w1;
        outs[1] = out1;
        ws[2] = w2;
        outs[2] = out2;
        ws[3] = w3;
        outs[3] = out3;
        run(4, x, numRows, 0);
    }

    private void run(int count, float[] x, int numRows, int outOff) {
        int c = ws[0].cols;
        DType dtype = ws[0].dtype;
        boolean packed = ws[0].packed != null;
        rowStart[0] = 0;
        panelStart[0] = 0;
        for (int i = 0; i < count; i++) {
            if (ws[i].cols != c || ws[i].dtype != dtype || (ws[i].packed != null) != packed) {
                throw new IllegalArgumentException("weights applied together must share cols, dtype and packing: "
                        + ws[0] + " vs " + ws[i]);
            }
            rowStart[i + 1] = rowStart[i] + ws[i].rows;
            panelStart[i + 1] = panelStart[i] + (ws[i].rows + PackedGemm.PANEL - 1) / PackedGemm.PANEL;
        }
        int n = numRows * c;
        this.numWeights = count;
        this.cols = c;
        this.numRows = numRows;
        this.outOff = outOff;
        if (packed) {
            runPacked(x, n);
            return;
        }
        if (xLayout.length < n) {
            xLayout = new float[Math.max(n, xLayout.length * 2)];
        }
        if (dtype == DType.BF16) {
            for (int t = 0; t < numRows; t++) {
                toPairLayout(x, t * c, xLayout, t * c, c);
            }
        } else {
            System.arraycopy(x, 0, xLayout, 0, n);
        }
        this.xs = xLayout;
        pool.run(task);
        for (int i = 0; i < count; i++) {
            ws[i] = null;
            outs[i] = null;
        }
        this.xs = null;
    }

    /** Packed weights: x into {@link PackedGemm}'s tiles (x itself for one row), then the panels across parts. */
    private void runPacked(float[] x, int n) {
        if (numRows == 1) {
            xs = x;
        } else {
            if (xT.length < n) {
                xT = new float[Math.max(n, xT.length * 2)];
            }
            xs = x;
            pool.run(packedTransposeTask, n >= 1 << 15);
            xs = xT;
        }
        pool.run(packedTask);
        for (int i = 0; i < numWeights; i++) {
            ws[i] = null;
            outs[i] = null;
        }
        this.xs = null;
    }

    /** Whole tiles of rows per part: split points at multiples of 8 are tile starts. */
    private void packedTransposePart(int part, int numParts) {
        int r0 = WorkerPool.splitStart(numRows, part, numParts, 8);
        int r1 = WorkerPool.splitStart(numRows, part + 1, numParts, 8);
        PackedGemm.transpose(xs, numRows, cols, xT, r0, r1);
    }

    /** This part's share of the concatenated panels of all weights, weight by weight. */
    private void packedPart(int part, int numParts) {
        int total = panelStart[numWeights];
        int g0 = WorkerPool.splitStart(total, part, numParts, 1);
        int g1 = WorkerPool.splitStart(total, part + 1, numParts, 1);
        for (int i = 0; i < numWeights && g0 < g1; i++) {
            int p0 = Math.max(g0, panelStart[i]) - panelStart[i];
            int p1 = Math.min(g1, panelStart[i + 1]) - panelStart[i];
            if (p0 < p1) {
                Weight w = ws[i];
                PackedGemm.panels(w.packed, w.rows, w.cols, p0, p1, xs, numRows, outs[i], outOff, w.rows, sums[part]);
            }
        }
    }

    /** This part's share of the concatenated rows of all weights, weight by weight. */
    private void runPart(int part, int numParts) {
        int total = rowStart[numWeights];
        int align = numRows == 1 ? 4 : PANEL_ROWS;
        int g0 = WorkerPool.splitStart(total, part, numParts, align);
        int g1 = WorkerPool.splitStart(total, part + 1, numParts, align);
        for (int i = 0; i < numWeights && g0 < g1; i++) {
            int r0 = Math.max(g0, rowStart[i]) - rowStart[i];
            int r1 = Math.min(g1, rowStart[i + 1]) - rowStart[i];
            if (r0 < r1) {
                rows(part, ws[i], outs[i], r0, r1);
            }
        }
    }

    private void rows(int part, Weight wt, float[] out, int r0, int r1) {
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

    /** Whether weights can go through one fused call (same input width and dtype). */
    static boolean sameLayout(Weight... w) {
        for (Weight x : w) {
            if (x.dtype != w[0].dtype || x.cols != w[0].cols || (x.packed != null) != (w[0].packed != null)) {
                return false;
            }
        }
        return true;
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
