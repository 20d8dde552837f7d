package io.streamlm.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlm.model.DType;
import io.streamlm.model.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every vector kernel against a plain scalar loop on random data, at sizes that are not vector multiples. */
class KernelTest {

    @Test
    void matmulMatchesScalarForEveryDtypeBatchAndThreadCount() {
        Random rnd = new Random(1);
        int[][] shapes = {{37, 1013}, {64, 64}, {5, 31}, {130, 96}, {16, 33}};
        for (DType dtype : new DType[] {DType.BF16, DType.F32, DType.F16}) {
            for (int[] shape : shapes) {
                int rows = shape[0];
                int cols = shape[1];
                Tensor t = TestModels.matrix("w", dtype, rows, cols, 1.0, rnd);
                float[] wf = t.toFloatArray(); // the rounded values the kernel must use
                for (boolean pack : dtype == DType.BF16 ? new boolean[] {true, false} : new boolean[] {false}) {
                    Weight w = new Weight(t);
                    if (pack) {
                        w.pack();
                    }
                    assertEquals(pack, w.packed != null, "BF16 packs when allowed (the heap has room here)");
                    for (int threads : new int[] {1, 2, 3}) {
                        try (WorkerPool pool = new WorkerPool(threads)) {
                            MatMul mm = new MatMul(pool, cols);
                            for (int batch : new int[] {1, 2, 3, 4, 5, 7, 9, 15, 16, 17, 31, 32, 33, 50, 70, 139}) {
                                float[] x = TestModels.gaussian(batch * cols, rnd);
                                float[] out = new float[batch * rows + 3];
                                mm.apply(w, x, batch, out, 3);
                                assertMatches(wf, rows, cols, x, batch, out, 3,
                                        dtype + (pack ? " packed " : " ") + rows + "x" + cols + " batch " + batch
                                                + " threads " + threads);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Four weights in one call, as the Gated DeltaNet input projections go (two of 16 rows: half a packed panel),
     * so the parts' panel ranges cross from one weight into the next.
     */
    @Test
    void fusedWeightsMatchScalarPackedAndNot() {
        Random rnd = new Random(3);
        int cols = 300;
        int[] rows = {70, 16, 16, 33};
        Tensor[] t = new Tensor[4];
        for (int i = 0; i < 4; i++) {
            t[i] = TestModels.matrix("w" + i, DType.BF16, rows[i], cols, 1.0, rnd);
        }
        for (boolean pack : new boolean[] {true, false}) {
            Weight[] w = new Weight[4];
            for (int i = 0; i < 4; i++) {
                w[i] = new Weight(t[i]);
                if (pack) {
                    w[i].pack();
                }
                assertEquals(pack, w[i].packed != null, "BF16 packs when asked (the heap has room here)");
            }
            for (int threads : new int[] {1, 2, 3, 5}) {
                try (WorkerPool pool = new WorkerPool(threads)) {
                    MatMul mm = new MatMul(pool, cols);
                    for (int batch : new int[] {1, 6, 13, 130}) {
                        float[] x = TestModels.gaussian(batch * cols, rnd);
                        float[][] out = new float[4][];
                        for (int i = 0; i < 4; i++) {
                            out[i] = new float[batch * rows[i]];
                        }
                        mm.apply(w[0], out[0], w[1], out[1], w[2], out[2], w[3], out[3], x, batch);
                        for (int i = 0; i < 4; i++) {
                            assertMatches(t[i].toFloatArray(), rows[i], cols, x, batch, out[i], 0,
                                    "weight " + i + (pack ? " packed" : "") + " threads " + threads + " batch " + batch);
                        }
                    }
                }
            }
        }
    }

    private static void assertMatches(float[] wf, int rows, int cols, float[] x, int batch, float[] out, int outOff,
                                      String what) {
        for (int b = 0; b < batch; b++) {
            for (int r = 0; r < rows; r++) {
                double ref = 0;
                double mag = 0;
                for (int c = 0; c < cols; c++) {
                    ref += (double) wf[r * cols + c] * x[b * cols + c];
                    mag += Math.abs((double) wf[r * cols + c] * x[b * cols + c]);
                }
                assertEquals(ref, out[outOff + b * rows + r], 1e-5 * mag + 1e-6, what + " at " + b + "," + r);
            }
        }
    }

    @Test
    void elementwiseKernelsMatchScalar() {
        Random rnd = new Random(2);
        for (int n : new int[] {1, 15, 16, 17, 100, 257}) {
            float[] a = TestModels.gaussian(n + 3, rnd);
            float[] b = TestModels.gaussian(n + 5, rnd);
            double dot = 0;
            for (int i = 0; i < n; i++) {
                dot += (double) a[3 + i] * b[5 + i];
            }
            assertEquals(dot, VecOps.dot(a, 3, b, 5, n), 1e-4);

            float[] y = b.clone();
            VecOps.axpy(y, 5, 0.7f, a, 3, n);
            for (int i = 0; i < n; i++) {
                assertEquals(b[5 + i] + 0.7f * a[3 + i], y[5 + i], 1e-5);
            }

            float[] w = TestModels.gaussian(n, rnd);
            float[] dst = new float[n + 2];
            VecOps.rmsNormZeroCentered(a, 3, w, 1e-6, dst, 2, n);
            double ss = 0;
            for (int i = 0; i < n; i++) {
                ss += (double) a[3 + i] * a[3 + i];
            }
            double inv = 1.0 / Math.sqrt(ss / n + 1e-6);
            for (int i = 0; i < n; i++) {
                assertEquals(a[3 + i] * inv * (1 + w[i]), dst[2 + i], 1e-5 * (1 + Math.abs(a[3 + i] * inv * (1 + w[i]))));
            }

            float[] gated = new float[n + 1];
            VecOps.sigmoidGate(a, 0.5f, b, 5, gated, 1, n);
            for (int i = 0; i < n; i++) {
                double ref = a[i] * 0.5 / (1 + Math.exp(-b[5 + i]));
                assertEquals(ref, gated[1 + i], 1e-5 * (1 + Math.abs(ref)));
            }

            float[] g = TestModels.gaussian(n, rnd);
            float[] u = TestModels.gaussian(n, rnd);
            float[] sw = new float[n];
            VecOps.swiglu(g, u, sw, n);
            for (int i = 0; i < n; i++) {
                double ref = g[i] / (1 + Math.exp(-g[i])) * u[i];
                assertEquals(ref, sw[i], 1e-5 * (1 + Math.abs(ref)));
            }
        }
    }

    @Test
    void vectorExpIsAccurateAndClamped() {
        float[] x = new float[MatMul.LANES];
        float[] y = new float[MatMul.LANES];
        for (double v = -100; v <= 100; v += 0.01) {
            java.util.Arrays.fill(x, (float) v);
            x[1] = (float) -v;
            VecOps.exp(jdk.incubator.vector.FloatVector.fromArray(MatMul.F, x, 0)).intoArray(y, 0);
            for (int i = 0; i < 2; i++) {
                double want = Math.exp(Math.max(-87.3f, Math.min(88.3f, x[i])));
                assertEquals(want, y[i], want * 3e-7 + 1e-42, "exp(" + x[i] + ")");
            }
        }
    }

    @Test
    void pairLayoutRoundTripsThroughTheDotKernel() {
        Random rnd = new Random(3);
        int n = 2 * MatMul.PAIR_BLOCK + 7;
        float[] x = TestModels.gaussian(n, rnd);
        float[] p = new float[n];
        MatMul.toPairLayout(x, 0, p, 0, n);
        float[] sortedX = x.clone();
        float[] sortedP = p.clone();
        java.util.Arrays.sort(sortedX);
        java.util.Arrays.sort(sortedP);
        assertTrue(java.util.Arrays.equals(sortedX, sortedP), "pair layout is a permutation");
        assertEquals(x[1], p[MatMul.LANES]);
        assertEquals(x[n - 1], p[n - 1]);
    }
}
