package io.streamlm.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SamplerTest {

    private static SamplingParams params(double temperature, int topK, double topP, double minP,
            double repetition, double presence, double frequency) {
        return new SamplingParams(temperature, topK > 0 ? OptionalInt.of(topK) : OptionalInt.empty(), topP, minP,
                repetition, presence, frequency, OptionalLong.empty(), 100, List.of(), List.of(), true);
    }

    private static SamplingParams temperature(double t) {
        return params(t, 0, 1, 0, 1, 0, 0);
    }

    private static float[] randomLogits(Random r, int vocab) {
        float[] x = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            x[i] = (float) (r.nextGaussian() * 3);
        }
        return x;
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    /** log-softmax computed independently in double. */
    private static double logSoftmax(float[] x, int token, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) {
            max = Math.max(max, v / temperature);
        }
        double s = 0;
        for (float v : x) {
            s += Math.exp(v / temperature - max);
        }
        return x[token] / temperature - max - Math.log(s);
    }

    @Test
    void greedyPicksArgmaxWithItsLogSoftmax() {
        Random r = new Random(1);
        for (int trial = 0; trial < 20; trial++) {
            float[] x = randomLogits(r, 1000);
            Sampler.Choice c = new Sampler(SamplingParams.greedy(10), 0, new int[0]).next(x);
            assertEquals(argmax(x), c.tokenId());
            assertEquals(logSoftmax(x, c.tokenId(), 1), c.logprob(), 1e-4);
        }
    }

    @Test
    void greedyDoesNotModifyTheCallersLogits() {
        float[] x = {1, 5, 2};
        new Sampler(params(0, 0, 1, 0, 2, 1, 1), 0, new int[] {1}).next(x);
        assertArrayEquals(new float[] {1, 5, 2}, x);
    }

    @Test
    void topKOneIsGreedyWhateverTheSeed() {
        Random r = new Random(2);
        for (int trial = 0; trial < 50; trial++) {
            float[] x = randomLogits(r, 5000);
            Sampler s = new Sampler(params(1.5, 1, 1, 0, 1, 0, 0), trial, new int[0]);
            assertEquals(argmax(x), s.next(x).tokenId());
        }
    }

    @Test
    void tinyTopPIsArgmax() {
        Random r = new Random(3);
        for (int trial = 0; trial < 50; trial++) {
            float[] x = randomLogits(r, 5000);
            Sampler s = new Sampler(params(1, 0, 1e-6, 0, 1, 0, 0), trial, new int[0]);
            assertEquals(argmax(x), s.next(x).tokenId());
        }
    }

    private static Set<Integer> drawnSet(SamplingParams p, float[] x, int numDraws) {
        Set<Integer> seen = new TreeSet<>();
        for (int i = 0; i < numDraws; i++) {
            seen.add(new Sampler(p, i, new int[0]).next(x).tokenId());
        }
        return seen;
    }

    private static float[] logitsOf(double... probs) {
        float[] x = new float[probs.length];
        for (int i = 0; i < probs.length; i++) {
            x[i] = (float) Math.log(probs[i]);
        }
        return x;
    }

    @Test
    void topKKeepsExactlyTheKMostLikely() {
        float[] x = logitsOf(0.05, 0.3, 0.1, 0.25, 0.2, 0.1);
        assertEquals(Set.of(1, 3, 4), drawnSet(params(1, 3, 1, 0, 1, 0, 0), x, 3000));
    }

    @Test
    void topKKeepsTiesWithTheKthValue() {
        float[] x = logitsOf(0.4, 0.2, 0.2, 0.2);
        assertEquals(Set.of(0, 1, 2, 3), drawnSet(params(1, 2, 1, 0, 1, 0, 0), x, 3000));
    }

    @Test
    void topPKeepsTheSmallestPrefixReachingP() {
        float[] x = logitsOf(0.05, 0.5, 0.15, 0.3);
        assertEquals(Set.of(1, 3), drawnSet(params(1, 0, 0.75, 0, 1, 0, 0), x, 3000));
        assertEquals(Set.of(1, 2, 3), drawnSet(params(1, 0, 0.85, 0, 1, 0, 0), x, 3000));
        assertEquals(Set.of(1), drawnSet(params(1, 0, 0.45, 0, 1, 0, 0), x, 3000));
    }

    @Test
    void topPAfterTopKRenormalises() {
        // top-2 leaves {1: 0.5, 3: 0.3}, renormalised 0.625 / 0.375: p = 0.6 keeps only token 1
        float[] x = logitsOf(0.05, 0.5, 0.15, 0.3);
        assertEquals(Set.of(1), drawnSet(params(1, 2, 0.6, 0, 1, 0, 0), x, 3000));
        assertEquals(Set.of(1, 3), drawnSet(params(1, 2, 0.7, 0, 1, 0, 0), x, 3000));
    }

    @Test
    void minPDropsTokensBelowTheFractionOfTheTop() {
        float[] x = logitsOf(0.4, 0.25, 0.19, 0.1, 0.06);
        // threshold 0.5 * 0.4 = 0.2 keeps 0.4 and 0.25
        assertEquals(Set.of(0, 1), drawnSet(params(1, 0, 1, 0.5, 1, 0, 0), x, 3000));
        // threshold 0.2 * 0.4 = 0.08 keeps all but 0.06
        assertEquals(Set.of(0, 1, 2, 3), drawnSet(params(1, 0, 1, 0.2, 1, 0, 0), x, 3000));
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeSeenLogits() {
        float[] x = {2f, -2f, 4f, -1f, 3f};
        Sampler s = new Sampler(params(1, 0, 1, 0, 2, 0, 0), 0, new int[] {0, 1});
        assertArrayEquals(new float[] {1f, -4f, 4f, -1f, 3f}, s.penalised(x));
        s.record(4);
        assertArrayEquals(new float[] {1f, -4f, 4f, -1f, 1.5f}, s.penalised(x));
    }

    @Test
    void presenceAndFrequencyPenaliseOnlyOutputTokensByCount() {
        float[] x = {2f, -2f, 4f, -1f, 3f};
        Sampler s = new Sampler(params(1, 0, 1, 0, 1, 0.5, 0.25), 0, new int[] {0, 1, 2});
        assertArrayEquals(x, s.penalised(x)); // prompt tokens are not penalised by these
        s.record(4);
        s.record(4);
        s.record(3);
        assertArrayEquals(new float[] {2f, -2f, 4f, -1f - 0.75f, 3f - 1f}, s.penalised(x));
    }

    @Test
    void greedyLogprobIsOverThePenalisedLogits() {
        float[] x = {2f, 1f, 0f};
        Sampler s = new Sampler(params(0, 0, 1, 0, 4, 0, 0), 0, new int[] {0});
        Sampler.Choice c = s.next(x); // token 0 becomes 0.5, token 1 wins
        assertEquals(1, c.tokenId());
        assertEquals(logSoftmax(new float[] {0.5f, 1f, 0f}, 1, 1), c.logprob(), 1e-5);
    }

    @Test
    void sampledLogprobIsOverTheTemperatureScaledDistribution() {
        Random r = new Random(4);
        float[] x = randomLogits(r, 300);
        Sampler s = new Sampler(params(0.7, 20, 0.9, 0, 1, 0, 0), 9, new int[0]);
        Sampler.Choice c = s.next(x);
        assertEquals(logSoftmax(x, c.tokenId(), 0.7), c.logprob(), 1e-4);
    }

    /** A toy "model": the next logits depend on the previous token, so the sequence feeds back. */
    private static int[] generate(Sampler s, int numTokens) {
        int[] out = new int[numTokens];
        int prev = 7;
        for (int i = 0; i < numTokens; i++) {
            float[] x = randomLogits(new Random(prev), 2000);
            out[i] = s.next(x).tokenId();
            prev = out[i];
        }
        return out;
    }

    @Test
    void sameSeedSameSequenceDifferentSeedDifferent() {
        SamplingParams p = params(1.0, 50, 0.95, 0.01, 1.1, 0.2, 0.1);
        int[] a = generate(new Sampler(p, 42, new int[] {1, 2, 3}), 40);
        int[] b = generate(new Sampler(p, 42, new int[] {1, 2, 3}), 40);
        int[] c = generate(new Sampler(p, 43, new int[] {1, 2, 3}), 40);
        assertArrayEquals(a, b);
        assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(c));
    }

    @Test
    void seedInParamsWinsOverTheEngineSeed() {
        SamplingParams p = temperature(1.0).withSeed(5);
        assertArrayEquals(generate(new Sampler(p, 1, new int[0]), 30), generate(new Sampler(p, 2, new int[0]), 30));
    }

    @Test
    void recordedPrefixContinuesIdentically() {
        SamplingParams p = params(0.9, 0, 0.9, 0, 1.2, 0.3, 0.3);
        int[] full = generate(new Sampler(p, 11, new int[] {5}), 20);
        Sampler resumed = new Sampler(p, 11, new int[] {5});
        for (int i = 0; i < 10; i++) {
            resumed.record(full[i]);
        }
        int prev = full[9];
        for (int i = 10; i < 20; i++) {
            int t = resumed.next(randomLogits(new Random(prev), 2000)).tokenId();
            assertEquals(full[i], t, "token " + i);
            prev = t;
        }
    }

    @Test
    void temperatureSamplingFrequenciesMatchSoftmax() {
        float[] x = {1.0f, 0.5f, 0f, -0.5f, 2.0f};
        double t = 0.7;
        int numDraws = 40_000;
        int[] counts = new int[x.length];
        Sampler s = new Sampler(temperature(t), 123, new int[0]);
        for (int i = 0; i < numDraws; i++) {
            counts[s.next(x).tokenId()]++;
        }
        for (int k = 0; k < x.length; k++) {
            double expected = Math.exp(logSoftmax(x, k, t));
            double observed = counts[k] / (double) numDraws;
            double sigma = Math.sqrt(expected * (1 - expected) / numDraws);
            assertTrue(Math.abs(observed - expected) < 5 * sigma + 1e-4,
                    "token " + k + ": observed " + observed + " expected " + expected);
        }
    }

    @Test
    void fullVocabularyTopPAndTopKWork() {
        Random r = new Random(5);
        float[] x = randomLogits(r, 248_320);
        Sampler s = new Sampler(params(0.8, 0, 0.9, 0.05, 1.05, 0, 0), 3, new int[] {1, 2, 3});
        for (int i = 0; i < 5; i++) {
            Sampler.Choice c = s.next(x);
            assertTrue(c.tokenId() >= 0 && c.tokenId() < x.length);
            assertTrue(Float.isFinite(c.logprob()) && c.logprob() <= 0);
        }
    }

    /** Brute force: sort everything, apply HF's rules literally (top-k keeps ties, top-p on renormalised). */
    private static int[] referenceSurvivors(float[] logits, double t, int topK, double topP, double minP) {
        int v = logits.length;
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l / t);
        }
        double[] p = new double[v];
        for (int i = 0; i < v; i++) {
            p[i] = Math.exp(logits[i] / t - max);
        }
        Integer[] order = new Integer[v];
        for (int i = 0; i < v; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        int n = v;
        if (topK > 0 && topK < v) {
            double kth = p[order[topK - 1]];
            n = 0;
            while (n < v && p[order[n]] >= kth) {
                n++;
            }
        }
        if (topP < 1) {
            double mass = 0;
            for (int i = 0; i < n; i++) {
                mass += p[order[i]];
            }
            double before = 0;
            int keep = 0;
            while (keep < n && before < topP * mass) {
                before += p[order[keep++]];
            }
            n = Math.max(1, keep);
        }
        java.util.List<Integer> kept = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (p[order[i]] >= minP * p[order[0]]) {
                kept.add(order[i]);
            }
        }
        return kept.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    @Test
    void survivorsMatchABruteForceSortOnTheFullVocabulary() {
        Random r = new Random(6);
        float[] peaked = new float[100_000];
        for (int i = 0; i < peaked.length; i++) {
            peaked[i] = (float) (r.nextGaussian() * 2 + (i % 997 == 0 ? 8 : 0));
        }
        float[] flat = randomLogits(r, 100_000);
        double[][] settings = {{1, 50, 1, 0}, {0.7, 0, 0.9, 0}, {1.3, 0, 0.5, 0}, {0.8, 40, 0.8, 0},
            {1, 0, 1, 0.3}, {0.6, 100, 0.95, 0.01}, {1, 1000, 1, 0}};
        for (float[] logits : new float[][] {peaked, flat}) {
            for (double[] st : settings) {
                Sampler s = new Sampler(params(st[0], (int) st[1], st[2], st[3], 1, 0, 0), 0, new int[0]);
                int[] expected = referenceSurvivors(logits, st[0], (int) st[1], st[2], st[3]);
                assertArrayEquals(expected, s.survivors(logits), java.util.Arrays.toString(st));
            }
        }
    }

    @Test
    void nonFiniteLogitsAreRejected() {
        Sampler s = new Sampler(temperature(1), 0, new int[0]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.next(new float[] {1f, Float.NaN, 2f}));
        assertTrue(e.getMessage().contains("token 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.next(new float[] {1f, Float.POSITIVE_INFINITY}));
        assertThrows(IllegalArgumentException.class,
                () -> s.next(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}));
        // -inf marks a masked token: allowed, never chosen
        Sampler g = new Sampler(temperature(1), 0, new int[0]);
        for (int i = 0; i < 200; i++) {
            assertEquals(1, g.next(new float[] {Float.NEGATIVE_INFINITY, 0f}).tokenId());
        }
    }
}
