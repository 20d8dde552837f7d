package io.streamlm.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The recurrent and chunked delta-rule forms against a double-precision scalar recurrence. */
class DeltaRuleTest {

    @Test
    void chunkedAndRecurrentMatchScalarReferenceAcrossChunksWithInitialState() {
        Random rnd = new Random(7);
        int[][] dims = {{16, 20}, {128, 128}, {17, 9}};
        for (int[] d : dims) {
            int dk = d[0];
            int dv = d[1];
            for (int n : new int[] {1, 5, 64, 65, 150}) {
                float[] q = normalisedRows(n, dk, rnd, (float) (1 / Math.sqrt(dk)));
                float[] k = normalisedRows(n, dk, rnd, 1f);
                float[] v = TestModels.gaussian(n * dv, rnd);
                float[] g = new float[n];
                float[] beta = new float[n];
                for (int t = 0; t < n; t++) {
                    g[t] = (float) -Math.exp(rnd.nextDouble() * 7.5 - 6); // decays from ~1 to ~e^-4.5
                    beta[t] = (float) (1 / (1 + Math.exp(-rnd.nextGaussian())));
                }
                int sOff = 5;
                float[] s0 = new float[sOff + dk * dv];
                for (int i = sOff; i < s0.length; i++) {
                    s0[i] = (float) (rnd.nextGaussian() * 0.3);
                }
                double[] sRef = new double[dk * dv];
                for (int i = 0; i < sRef.length; i++) {
                    sRef[i] = s0[sOff + i];
                }
                double[] outRef = reference(q, k, v, g, beta, n, dk, dv, sRef);

                DeltaRule rule = new DeltaRule(dk, dv);
                float[] sRec = s0.clone();
                float[] outRec = new float[n * dv];
                rule.recurrent(q, k, v, g, beta, n, sRec, sOff, outRec);
                float[] sChunk = s0.clone();
                float[] outChunk = new float[n * dv];
                rule.chunked(q, k, v, g, beta, n, sChunk, sOff, outChunk);

                String what = "dk=" + dk + " dv=" + dv + " n=" + n;
                assertClose(outRef, outRec, 1e-5, "recurrent out " + what);
                assertClose(outRef, outChunk, 1e-5, "chunked out " + what);
                float[] sr = java.util.Arrays.copyOfRange(sRec, sOff, sRec.length);
                float[] sc = java.util.Arrays.copyOfRange(sChunk, sOff, sChunk.length);
                assertClose(sRef, sr, 1e-5, "recurrent state " + what);
                assertClose(sRef, sc, 1e-5, "chunked state " + what);
            }
        }
    }

    private static float[] normalisedRows(int n, int d, Random rnd, float scale) {
        float[] x = TestModels.gaussian(n * d, rnd);
        for (int t = 0; t < n; t++) {
            double ss = 0;
            for (int i = 0; i < d; i++) {
                ss += x[t * d + i] * x[t * d + i];
            }
            for (int i = 0; i < d; i++) {
                x[t * d + i] = (float) (x[t * d + i] / Math.sqrt(ss + 1e-6) * scale);
            }
        }
        return x;
    }

    /** torch_recurrent_gated_delta_rule in double, one head; updates s. */
    private static double[] reference(float[] q, float[] k, float[] v, float[] g, float[] beta, int n, int dk, int dv,
                                      double[] s) {
        double[] out = new double[n * dv];
        for (int t = 0; t < n; t++) {
            double decay = Math.exp(g[t]);
            for (int i = 0; i < s.length; i++) {
                s[i] *= decay;
            }
            double[] delta = new double[dv];
            for (int j = 0; j < dv; j++) {
                double kv = 0;
                for (int i = 0; i < dk; i++) {
                    kv += s[i * dv + j] * k[t * dk + i];
                }
                delta[j] = (v[t * dv + j] - kv) * beta[t];
            }
            for (int i = 0; i < dk; i++) {
                for (int j = 0; j < dv; j++) {
                    s[i * dv + j] += k[t * dk + i] * delta[j];
                }
            }
            for (int j = 0; j < dv; j++) {
                double o = 0;
                for (int i = 0; i < dk; i++) {
                    o += s[i * dv + j] * q[t * dk + i];
                }
                out[t * dv + j] = o;
            }
        }
        return out;
    }

    private static void assertClose(double[] ref, float[] got, double tol, String what) {
        double maxDiff = 0;
        double maxRef = 1e-30;
        for (int i = 0; i < ref.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(ref[i] - got[i]));
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
        }
        assertTrue(maxDiff / maxRef <= tol, what + ": relative difference " + maxDiff / maxRef);
    }
}
