package io.streamlm.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlm.backend.SeqChunk;
import java.util.List;

/**
 * Every kernel against its CPU twin on fresh random inputs, through {@link Both} (run by
 * {@link CudaKernelsGpuTest} on a GPU, and twin against twin by {@link KernelChecksTwinTest} so the checks
 * themselves are exercised everywhere). Bounds: 1e-5 relative for f32 element-wise kernels, 1e-4 for reductions and f32 matmuls,
 * 2e-3 for the tensor-core matmul (bf16-rounded activations, different summation order).
 */
final class KernelChecks {
    private KernelChecks() {}

    /** Two sequences (one prefill chunk of 13 tokens from position 5, one decode token at 21). */
    static List<SeqChunk> chunks() {
        return List.of(new SeqChunk(new int[13], 5, new int[] {7, 2, 9, 4, 0}, 1, true),
                new SeqChunk(new int[1], 21, new int[] {3, 8, 6, 1, 5, 10}, 0, true));
    }

    static void embeddingAndNorms(Both both) {
        int vocab = 50, h = 300;
        float[] table = Both.randn(vocab * h, 1, 1);
        int[] ids = {3, 49, 0, 17};
        Both.assertClose("embedding_gather_bf16", both.run((o, b, m) -> o.embeddingGather(b[0], b[1], b[2], 4, vocab, h),
                null, new int[] {0}, Both.nan(4 * h), Both.bf16(table), ids), 0);
        Both.assertClose("embedding_gather_f32", both.run((o, b, m) -> o.embeddingGather(b[0], b[1], b[2], 4, vocab, h),
                null, new int[] {0}, Both.nan(4 * h), table, ids), 0);
        Both.assertClose("gather_rows_f32", both.run((o, b, m) -> o.gatherRows(b[0], b[1], b[2], 2, h),
                null, new int[] {0}, Both.nan(2 * h), table, new int[] {9, 1}), 0);
        Both.assertClose("rmsnorm_zc", both.run((o, b, m) -> o.rmsnormZc(b[0], h, b[1], h + 7, b[2], 5, h, 1e-6f),
                null, new int[] {0}, Both.nan(5 * h), Both.randn(5 * (h + 7), 2, 3), Both.randn(h, 3, 0.1)), 1e-5);
        Both.assertClose("rmsnorm_gated", both.run((o, b, m) -> o.rmsnormGated(b[0], b[1], b[2], 200, b[3], 3, 4, 40, 1e-6f),
                null, new int[] {0}, Both.nan(3 * 160), Both.randn(3 * 160, 4, 2), Both.randn(3 * 200, 5, 1),
                Both.randn(40, 6, 1)), 1e-5);
    }

    static void matmulKernels(Both both) {
        int n = 333, k = 1040;
        float[] w = Both.randn(n * k, 7, 0.03);
        for (int m : new int[] {1, 5, 8, 37, 130}) {
            float[] x = Both.randn(m * k, 8 + m, 1);
            for (Precision p : Precision.values()) {
                String name = MatmulLauncher.kernelFor(new Buf(null, Buf.Elem.BF16, 0, 0), m, k, p) + " M=" + m;
                double tol = name.startsWith("matmul_mma") ? 2e-3 : 1e-4;
                Both.assertClose(name, both.run((o, b, mm) -> o.matmul(b[0], n, b[1], k, b[2], m, n, k, false, p), null,
                        new int[] {0}, Both.nan(m * n), x, Both.bf16(w)), tol);
                float[] y0 = Both.randn(m * n, 9, 1);
                Both.assertClose(name + " accumulate", both.run((o, b, mm) -> o.matmul(b[0], n, b[1], k, b[2], m, n, k, true, p),
                        null, new int[] {0}, y0, x, Both.bf16(w)), tol);
            }
            Both.assertClose("matmul_simt_f32w M=" + m, both.run((o, b, mm) -> o.matmul(b[0], n, b[1], k, b[2], m, n, k, false,
                    Precision.F32), null, new int[] {0}, Both.nan(m * n), x, w), 1e-4);
        }
        // a grid wide enough that the tensor-core kernel runs without split-K (plain stores, no atomics)
        int wm = 256, wn = 8320, wk = 256;
        Both.assertClose("matmul_mma_bf16 wide grid", both.run((o, b, mm) -> o.matmul(b[0], wn, b[1], wk, b[2], wm, wn, wk,
                false, Precision.BF16), null, new int[] {0}, Both.nan(wm * wn), Both.randn(wm * wk, 40, 1),
                Both.bf16(Both.randn(wn * wk, 41, 0.05))), 2e-3);
    }

    static void ropeAttentionAndGate(Both both) {
        int nh = 8, nkv = 2, hd = 256, rd = 64, t = 14;
        int ldy = 2 * nh * hd + 2 * nkv * hd, kOff = 2 * nh * hd;
        double[] inv = new double[rd / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = 1.0 / Math.pow(1e7, 2.0 * i / rd);
        }
        int[] pos = new int[t];
        for (int i = 0; i < 13; i++) {
            pos[i] = 5 + i;
        }
        pos[13] = 200_000; // large positions: the angle must be formed in f64
        Both.assertClose("qk_norm_rope", both.run((o, b, m) -> o.qkNormRope(b[0], b[1], ldy, kOff, b[2], b[3], b[4], b[5],
                t, nh, nkv, hd, rd, 1e-6f), null, new int[] {0, 1}, Both.nan(t * nh * hd), Both.randn(t * ldy, 10, 2), pos, inv,
                Both.randn(hd, 11, 0.1), Both.randn(hd, 12, 0.1)), 1e-4);
        int blocks = 11, bs = 4, kvDim = nkv * hd;
        float[] kc = Both.randn(blocks * bs * kvDim, 13, 1), vc = Both.randn(blocks * bs * kvDim, 14, 1);
        float[] y = Both.randn(t * ldy, 15, 1), q = Both.randn(t * nh * hd, 16, 1);
        float scale = (float) (1 / Math.sqrt(hd));
        for (String kind : new String[] {"decode", "prefill"}) {
            Both.assertClose("kv_cache_write + " + kind, both.run((o, b, m) -> {
                o.kvCacheWrite(b[1], b[2], b[3].at(kOff), b[3].at(kOff + kvDim), ldy, m, bs, nkv, hd);
                if (kind.equals("decode")) {
                    o.attentionDecode(b[0], b[4], b[1], b[2], m, bs, nh, nkv, hd, scale);
                } else {
                    o.attentionPrefill(b[0], b[4], b[1], b[2], m, bs, nh, nkv, hd, scale);
                }
            }, chunks(), new int[] {0, 1, 2}, Both.nan(t * nh * hd), kc, vc, y, q), 1e-4);
        }
        Both.assertClose("sigmoid_gate_mul", both.run((o, b, m) -> o.sigmoidGateMul(b[0], b[1].at(hd), ldy, 2 * hd, t, nh, hd),
                null, new int[] {0}, q, y), 1e-5);
    }

    static void gatedDeltaNet(Both both) {
        int hk = 4, hv = 8, dk = 128, dv = 128, kSize = 4, t = 14;
        int convDim = 2 * hk * dk + hv * dv, ld = convDim + 16;
        long slot = (long) (kSize - 1) * convDim + (long) hv * dk * dv;
        float[] states = Both.randn((int) (2 * slot), 20, 0.3);
        Both.assertClose("causal_conv1d (out, state)", both.run((o, b, m) -> o.causalConv1d(b[0], b[1], ld, b[2], b[3], slot, m,
                convDim, kSize), chunks(), new int[] {0, 3}, Both.nan(t * convDim), Both.randn(t * ld, 21, 1),
                Both.randn(convDim * kSize, 22, 0.5), states), 1e-5);
        Both.assertClose("gdn_gates", both.run((o, b, m) -> o.gdnGates(b[0], b[1], b[2], b[3].at(3), ld, b[4], b[5], t, hv),
                null, new int[] {0, 1}, Both.nan(t * hv), Both.nan(t * hv), Both.randn(t * ld, 23, 2), Both.randn(t * ld, 24, 2),
                Both.randn(hv, 25, 1), Both.randn(hv, 26, 1)), 1e-5);
        float[] g = new float[t * hv], beta = new float[t * hv];
        java.util.Random r = new java.util.Random(27);
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) -Math.exp(r.nextDouble() * 7.5 - 6);
            beta[i] = (float) (1 / (1 + Math.exp(-r.nextGaussian())));
        }
        Both.assertClose("gdn_recurrent (out, state)", both.run((o, b, m) -> o.gdnRecurrent(b[0], b[1], b[2], b[3],
                b[4].at((long) (kSize - 1) * convDim), slot, m, hk, hv, dk, dv), chunks(), new int[] {0, 4},
                Both.nan(t * hv * dv), Both.randn(t * convDim, 28, 1), beta, g, states), 1e-4);
    }

    static void swigluStateInitAndSampling(Both both) {
        int t = 9, inter = 700;
        Both.assertClose("swiglu", both.run((o, b, m) -> o.swiglu(b[0], b[1], 2 * inter + 3, t, inter), null, new int[] {0},
                Both.nan(t * inter), Both.randn(t * (2 * inter + 3), 30, 2)), 1e-5);
        long slotElems = 5000;
        Both.assertClose("state_copy + state_zero", both.run((o, b, m) -> {
            o.stateCopy(b[0], slotElems, b[1], b[2], 2);
            o.stateZero(b[0], slotElems, b[3], 1);
        }, null, new int[] {0}, Both.randn((int) (4 * slotElems), 31, 1), new int[] {0, 1}, new int[] {2, 3}, new int[] {1}), 0);
        Both.assertClose("init_hash_bf16 -> embedding", both.run((o, b, m) -> {
            Buf w = o.alloc(Buf.Elem.BF16, 64 * 100, "w");
            o.initHash(w, 64 * 100, 99, 0.5f, 0.1f);
            o.embeddingGather(b[0], w, b[1], 64, 64, 100);
            o.initHash(b[2], 1000, 98, 2f, -1f);
            o.free(w);
        }, null, new int[] {0, 2}, Both.nan(64 * 100), java.util.stream.IntStream.range(0, 64).toArray(), Both.nan(1000)), 0);
        sampling(both);
    }

    private static void sampling(Both both) {
        int rows = 64, vocab = 248_320;
        float[][] logits = new float[rows][];
        List<SampleRow> params = new java.util.ArrayList<>();
        for (int i = 0; i < rows; i++) {
            logits[i] = Both.randn(vocab, 40 + i, 3);
            params.add(i % 4 == 0 ? SampleRow.greedy() : SamplingTwinTest.row(0.7 + 0.1 * (i % 3), i % 3 == 0 ? 50 : null,
                    i % 2 == 0 ? 0.9 : 1.0, i % 5 == 0 ? 0.05 : 0, 1000 + i, i));
        }
        Sampled[] g = SamplingTwinTest.sample(both.gpu, logits, params);
        Sampled[] c = SamplingTwinTest.sample(both.twin, logits, params);
        int same = 0;
        for (int i = 0; i < rows; i++) {
            if (i % 4 == 0) {
                assertTrue(g[i].tokenId() == c[i].tokenId(), "greedy row " + i + ": gpu " + g[i] + " twin " + c[i]);
            }
            same += g[i].tokenId() == c[i].tokenId() ? 1 : 0;
        }
        System.out.printf("gpu kernel sample_rows: %d of %d rows pick the twin's token%n", same, rows);
        assertTrue(same >= rows - 3, same + " of " + rows + " rows agree with the twin");
    }
}
