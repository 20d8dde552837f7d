package io.streamlm.backend.cpu;

import static io.streamlm.backend.cpu.MatMul.F;
import static io.streamlm.backend.cpu.MatMul.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Causal attention of a multi-token chunk for one KV head (all query heads of its GQA group), as two small
 * GEMMs instead of one dot product and one axpy per (query, key): the head's K and V are gathered from the
 * paged blocks once, scores = Q K^T with the register-tiled {@link Gemm} kernel (64 query rows at a time),
 * a masked softmax per row, and out = P V with {@link DeltaRule#rowCombine}. One instance per thread.
 */
final class PrefillAttention {
    static final int Q_BLOCK = 64;

    private final int headDim;
    private final float[] qc;          // [Q_BLOCK, headDim] gathered query rows
    private final int[] qRow = new int[Q_BLOCK];  // step row of each gathered query
    private final int[] qHead = new int[Q_BLOCK]; // query head of each gathered query
    private final float[] out;         // [headDim]
    private float[] kc = new float[0]; // [keys, headDim] this head's K, position order
    private float[] vc = new float[0]; // [keys, headDim] this head's V
    private float[] sc = new float[0]; // [Q_BLOCK, keys] scores, then probabilities

    PrefillAttention(int headDim) {
        this.headDim = headDim;
        this.qc = new float[Q_BLOCK * headDim];
        this.out = new float[headDim];
    }

    /**
     * Attends rows {@code r0 .. r0 + n} (one chunk; row i at position {@code startPos + i}) for the query
     * heads {@code kvHead * group ..} and writes {@code out * sigmoid(gate)} into {@code s.core}.
     */
    void run(StepBuffers s, int r0, int n, int startPos, int[] table, float[][] keys, float[][] values,
             int blockSize, int kvDim, int kvHead, int numHeads, int group, float scale) {
        int numKeys = startPos + n;
        if (kc.length < numKeys * headDim) {
            kc = new float[numKeys * headDim * 2];
            vc = new float[numKeys * headDim * 2];
        }
        if (sc.length < Q_BLOCK * numKeys) {
            sc = new float[Q_BLOCK * numKeys * 2];
        }
        int kvOff = kvHead * headDim;
        for (int p = 0; p < numKeys; p++) {
            int src = (p % blockSize) * kvDim + kvOff;
            System.arraycopy(keys[table[p / blockSize]], src, kc, p * headDim, headDim);
            System.arraycopy(values[table[p / blockSize]], src, vc, p * headDim, headDim);
        }
        int numQueries = n * group;
        for (int q0 = 0; q0 < numQueries; q0 += Q_BLOCK) {
            int nq = Math.min(Q_BLOCK, numQueries - q0);
            for (int j = 0; j < nq; j++) {
                int qi = q0 + j;
                qRow[j] = r0 + qi / group;
                qHead[j] = kvHead * group + qi % group;
                int src = qRow[j] * numHeads * headDim * 2 + qHead[j] * headDim * 2;
                System.arraycopy(s.qg, src, qc, j * headDim, headDim);
            }
            // keys past the last query's position are never used; the causal mask is the count below
            int usedKeys = startPos + (qRow[nq - 1] - r0) + 1;
            Gemm.panelTimesRows(kc, usedKeys, qc, nq, headDim, sc, 0, numKeys);
            for (int j = 0; j < nq; j++) {
                int count = startPos + (qRow[j] - r0) + 1;
                float inv = softmax(sc, j * numKeys, count, scale);
                java.util.Arrays.fill(out, 0f);
                DeltaRule.rowCombine(out, 0, sc, j * numKeys, count, vc, 0, headDim, headDim);
                int gate = qRow[j] * numHeads * headDim * 2 + qHead[j] * headDim * 2 + headDim;
                VecOps.sigmoidGate(out, inv, s.qg, gate, s.core, qRow[j] * numHeads * headDim + qHead[j] * headDim,
                        headDim);
            }
        }
    }

    /** x[off..off+n) = exp(scale * x - max); returns 1 / sum. */
    private static float softmax(float[] x, int off, int n, float scale) {
        int vec = F.loopBound(n);
        FloatVector mv = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int c = 0; c < vec; c += LANES) {
            mv = mv.max(FloatVector.fromArray(F, x, off + c));
        }
        float max = mv.reduceLanes(VectorOperators.MAX);
        for (int c = vec; c < n; c++) {
            max = Math.max(max, x[off + c]);
        }
        float shift = max * scale;
        FloatVector sum = FloatVector.zero(F);
        for (int c = 0; c < vec; c += LANES) {
            FloatVector e = VecOps.exp(FloatVector.fromArray(F, x, off + c).mul(scale).sub(shift));
            e.intoArray(x, off + c);
            sum = sum.add(e);
        }
        double total = sum.reduceLanes(VectorOperators.ADD);
        for (int c = vec; c < n; c++) {
            float e = (float) Math.exp(x[off + c] * scale - shift);
            x[off + c] = e;
            total += e;
        }
        return (float) (1.0 / total);
    }
}
