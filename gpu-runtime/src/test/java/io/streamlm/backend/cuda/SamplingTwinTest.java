package io.streamlm.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlm.engine.SamplingParams;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The sampling kernel's semantics, on its twin through the same packing ({@link SamplingBatch}) the GPU uses. */
class SamplingTwinTest {
    private static final float[] LOGITS = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.15),
            (float) Math.log(0.05)};

    static Sampled[] sample(DeviceOps ops, float[][] rows, List<SampleRow> params) {
        int vocab = rows[0].length;
        Buf logits = ops.alloc(Buf.Elem.F32, (long) rows.length * vocab, "logits");
        float[] flat = new float[rows.length * vocab];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * vocab, vocab);
        }
        ops.upload(logits, flat);
        SamplingBatch b = new SamplingBatch(params, vocab);
        Buf ints = ops.alloc(Buf.Elem.I32, b.packed.length, "ints");
        Buf longs = ops.alloc(Buf.Elem.U64, b.seedStep.length, "longs");
        ops.upload(ints, b.packed);
        ops.upload(longs, b.seedStep);
        b.bind(ints, longs);
        Buf tok = ops.alloc(Buf.Elem.I32, rows.length, "tok");
        Buf lp = ops.alloc(Buf.Elem.F32, rows.length, "lp");
        ops.sampleRows(tok, lp, logits, rows.length, vocab, b);
        int[] t = ops.downloadI32(tok, rows.length);
        float[] l = ops.downloadF32(lp, rows.length);
        for (Buf x : new Buf[] {logits, ints, longs, tok, lp}) {
            ops.free(x);
        }
        Sampled[] out = new Sampled[t.length];
        for (int i = 0; i < t.length; i++) {
            out[i] = new Sampled(t[i], l[i]);
        }
        return out;
    }

    static SampleRow row(double temperature, Integer topK, double topP, double minP, long seed, long step) {
        SamplingParams p = new SamplingParams(temperature, topK == null ? OptionalInt.empty() : OptionalInt.of(topK), topP,
                minP, 1, 0, 0, OptionalLong.of(seed), 16, List.of(), List.of(), true);
        return new SampleRow(p, seed, step, new int[0], new int[0]);
    }

    static int[] histogram(SampleRow proto, int draws) {
        int[] counts = new int[LOGITS.length];
        TwinOps ops = new TwinOps();
        for (int i = 0; i < draws; i++) {
            SampleRow r = new SampleRow(proto.params(), proto.seed(), i, proto.penaltyIds(), proto.penaltyCounts());
            counts[sample(ops, new float[][] {LOGITS}, List.of(r))[0].tokenId()]++;
        }
        return counts;
    }

    @Test
    void greedyIsArgmaxWithItsLogprob() {
        Sampled s = sample(new TwinOps(), new float[][] {LOGITS}, List.of(SampleRow.greedy()))[0];
        assertEquals(0, s.tokenId());
        assertEquals(Math.log(0.5), s.logprob(), 1e-6);
    }

    @Test
    void temperatureOneFollowsTheDistribution() {
        int[] c = histogram(row(1, null, 1, 0, 9, 0), 20000);
        double[] want = {0.5, 0.3, 0.15, 0.05};
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], c[i] / 20000.0, 0.015, "token " + i);
        }
    }

    @Test
    void topKTopPAndMinPCutTheTail() {
        int[] k2 = histogram(row(1, 2, 1, 0, 3, 0), 4000);
        assertEquals(0, k2[2] + k2[3], "top-k 2 keeps two tokens");
        assertEquals(0.5 / 0.8, k2[0] / 4000.0, 0.03, "renormalised over the kept tokens");
        int[] p = histogram(row(1, null, 0.75, 0, 3, 0), 4000);
        assertEquals(0, p[2] + p[3], "top-p 0.75 needs tokens 0 and 1 only");
        assertTrue(p[1] > 0);
        int[] m = histogram(row(1, null, 1, 0.35, 3, 0), 4000);
        assertEquals(0, m[2] + m[3], "min-p 0.35 drops p < 0.175");
    }

    @Test
    void penaltiesAndSeedsBehave() {
        SampleRow rep = new SampleRow(SamplingParams.greedy(4), 0, 0, new int[] {0}, new int[] {1});
        SamplingParams pres = new SamplingParams(0, OptionalInt.empty(), 1, 0, 1, 1.0, 0, OptionalLong.empty(), 4,
                List.of(), List.of(), false);
        Sampled[] s = sample(new TwinOps(), new float[][] {LOGITS, LOGITS}, List.of(
                new SampleRow(pres, 0, 0, new int[] {0}, new int[] {1}),
                new SampleRow(pres, 0, 0, new int[] {0}, new int[] {0})));
        assertEquals(1, s[0].tokenId(), "presence penalty 1.0 on an output token moves the argmax");
        assertEquals(0, s[1].tokenId(), "prompt-only tokens get no presence penalty");
        float[] pos = {2.0f, 1.5f, 0f};
        assertEquals(1, sample(new TwinOps(), new float[][] {pos}, List.of(new SampleRow(
                new SamplingParams(0, OptionalInt.empty(), 1, 0, 2.0, 0, 0, OptionalLong.empty(), 4, List.of(), List.of(), false),
                0, 0, new int[] {0}, new int[] {0})))[0].tokenId(), "repetition penalty divides positive logits");
        assertEquals(0, sample(new TwinOps(), new float[][] {LOGITS}, List.of(rep))[0].tokenId());
        SampleRow a = row(1, null, 1, 0, 77, 5);
        assertEquals(sample(new TwinOps(), new float[][] {LOGITS}, List.of(a))[0],
                sample(new TwinOps(), new float[][] {LOGITS, LOGITS}, List.of(row(1, null, 1, 0, 1, 1), a))[1],
                "a row's draw depends on its seed and step only, not on the batch");
    }
}
