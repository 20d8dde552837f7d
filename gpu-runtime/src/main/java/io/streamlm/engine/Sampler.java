package io.streamlm.engine;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Picks each next token of one request from its logits row. Not thread-safe: one per request.
 *
 * <p>Order of operations (as HF transformers' logits processors and vLLM's sampler): repetition penalty
 * (HF: over tokens of prompt + output, a positive logit is divided by it, a negative one multiplied) ->
 * frequency and presence penalties (OpenAI: over output tokens, {@code logit -= count * frequency +
 * presence}) -> temperature -> top-k (ties with the k-th value are kept, as HF) -> top-p (the fewest
 * most-probable tokens whose renormalised mass reaches p) -> min-p (drop tokens below minP * p(max)) ->
 * a draw. Temperature 0 is greedy: the argmax of the penalised logits (lowest id on ties), and the
 * truncation filters are moot.
 *
 * <p>The reported logprob is the log-softmax of the <em>processed</em> logits, after penalties and
 * temperature and before top-k/top-p/min-p (vLLM's {@code processed_logprobs} mode; vLLM's default
 * reports raw-logit logprobs instead). Under greedy decoding temperature counts as 1, so it is the
 * log-softmax of the penalised logits. It is never -inf for a chosen token.
 *
 * <p>Randomness is counter-based: the draw for output token n is a pure function of (seed, n), so a
 * request replayed from its prompt and output so far (after preemption, or restored from a checkpoint
 * via {@link #record}) continues with exactly the same tokens, independent of batching.
 */
public final class Sampler {

    /** The chosen token and its log-probability under the processed distribution. */
    public record Choice(int tokenId, float logprob) {}

    private static final double MIN_TEMPERATURE = 1e-5;

    private final SamplingParams params;
    private final long seed;
    private final BitSet seenTokens = new BitSet(); // prompt + output ids, for the repetition penalty
    private final Map<Integer, Integer> outputCounts = new HashMap<>(); // id -> times in the output
    private int numOutputTokens;

    private float[] work = new float[0]; // [vocab] processed logits, then probabilities
    private int[] idx = new int[0]; // [vocab] candidate ids, reordered by the partial selections
    private final ProbabilityHistogram histogram = new ProbabilityHistogram();

    /**
     * @param params       validated sampling parameters
     * @param seed         the seed used when {@code params.seed()} is empty (the engine's choice);
     *                     a seed in the params always wins, so a user's seed reproduces across engines
     * @param promptTokens the prompt, for the repetition penalty
     */
    public Sampler(SamplingParams params, long seed, int[] promptTokens) {
        this.params = Objects.requireNonNull(params, "params");
        this.seed = params.seed().orElse(seed);
        for (int t : promptTokens) {
            if (t >= 0) {
                seenTokens.set(t);
            }
        }
    }

    /** Tokens chosen (or recorded) so far. */
    public int numOutputTokens() {
        return numOutputTokens;
    }

    /**
     * Records an output token chosen elsewhere (e.g. restoring a request's progress) so penalties and the
     * draw counter continue as if this sampler had chosen it.
     */
    public void record(int tokenId) {
        if (tokenId < 0) {
            throw new IllegalArgumentException("token id must be >= 0, got " + tokenId);
        }
        seenTokens.set(tokenId);
        outputCounts.merge(tokenId, 1, Integer::sum);
        numOutputTokens++;
    }

    /**
     * Chooses the next token from one row of logits (not modified) and records it.
     *
     * @throws IllegalArgumentException if a logit is NaN or +inf, or every logit is -inf
     */
    public Choice next(float[] logits) {
        int vocab = logits.length;
        if (vocab == 0) {
            throw new IllegalArgumentException("logits row is empty");
        }
        if (work.length != vocab) {
            work = new float[vocab];
            idx = new int[vocab];
        }
        float[] x = work;
        System.arraycopy(logits, 0, x, 0, vocab);
        checkFinite(x);
        applyPenalties(x);
        // below vLLM's sampling epsilon a division by the temperature would overflow: treat it as greedy
        Choice c = params.temperature() < MIN_TEMPERATURE ? greedy(x) : sample(x);
        record(c.tokenId());
        return c;
    }

    /** The logits after this sampler's penalties (no temperature), for tests. */
    float[] penalised(float[] logits) {
        float[] x = logits.clone();
        checkFinite(x);
        applyPenalties(x);
        return x;
    }

    /** The ids top-k/top-p/min-p keep for these logits (sorted), without drawing; for tests. */
    int[] survivors(float[] logits) {
        float[] x = penalised(logits);
        if (idx.length != x.length) {
            idx = new int[x.length];
        }
        float max = SamplerMath.max(x);
        double total = SamplerMath.expInPlace(x, max, (float) (1.0 / params.temperature()));
        int n = selectCandidates(x, total);
        int[] out = java.util.Arrays.copyOf(idx, n);
        java.util.Arrays.sort(out);
        return out;
    }

    private static void checkFinite(float[] x) {
        boolean anyFinite = false;
        for (int i = 0; i < x.length; i++) {
            float v = x[i];
            if (Float.isNaN(v) || v == Float.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("logits contain " + v + " at token " + i
                        + ": the model produced non-finite values");
            }
            anyFinite |= v != Float.NEGATIVE_INFINITY;
        }
        if (!anyFinite) {
            throw new IllegalArgumentException("every logit is -inf: no token can be chosen");
        }
    }

    private void applyPenalties(float[] x) {
        float rep = (float) params.repetitionPenalty();
        if (rep != 1f) {
            for (int t = seenTokens.nextSetBit(0); t >= 0 && t < x.length; t = seenTokens.nextSetBit(t + 1)) {
                x[t] = x[t] > 0 ? x[t] / rep : x[t] * rep;
            }
        }
        double freq = params.frequencyPenalty();
        double presence = params.presencePenalty();
        if (freq != 0 || presence != 0) {
            for (Map.Entry<Integer, Integer> e : outputCounts.entrySet()) {
                int t = e.getKey();
                if (t < x.length) {
                    x[t] -= (float) (e.getValue() * freq + presence);
                }
            }
        }
    }

    private Choice greedy(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return new Choice(best, (float) (x[best] - SamplerMath.logSumExp(x)));
    }

    private Choice sample(float[] x) {
        float max = SamplerMath.max(x);
        // unnormalised probabilities exp((logit - max) / T): the most likely token has exactly 1
        double total = SamplerMath.expInPlace(x, max, (float) (1.0 / params.temperature()));
        double u = uniform(seed, numOutputTokens);
        int token;
        if (params.topK().isEmpty() && params.topP() >= 1 && params.minP() <= 0) {
            token = drawAll(x, u * total);
        } else {
            int n = selectCandidates(x, total);
            token = draw(x, n, u);
        }
        float logprob = (float) (Math.log(x[token]) - Math.log(total));
        return new Choice(token, logprob);
    }

    /**
     * Applies top-k, top-p and min-p; the survivors are idx[0..n). Returns n. A histogram of the
     * probabilities (one pass) first finds the bucket holding the k-th token or the nucleus border, so the
     * exact selections run only on the ids at or above that bucket, not on the whole vocabulary.
     */
    private int selectCandidates(float[] probs, double total) {
        int[] ids = idx;
        int n = -1; // -1: nothing collected yet
        boolean topK = params.topK().isPresent() && params.topK().getAsInt() < probs.length;
        boolean topP = params.topP() < 1;
        if (topK || topP) {
            histogram.build(probs);
        }
        if (topK) {
            int k = params.topK().getAsInt();
            n = collect(probs, histogram.floorForCount(k));
            float kth = TopSelection.kthLargest(ids, n, probs, k);
            n = keepAtLeast(ids, n, probs, kth);
        }
        if (topP) {
            double mass = n < 0 ? total : sum(ids, n, probs);
            double need = params.topP() * mass;
            if (n < 0) {
                n = collect(probs, histogram.floorForMass(need));
            }
            n = TopSelection.nucleus(ids, n, probs, need);
        }
        if (params.minP() > 0) {
            // top-k and top-p always keep the most likely token, whose probability here is exactly 1
            float threshold = (float) params.minP();
            n = n < 0 ? collect(probs, threshold) : keepAtLeast(ids, n, probs, threshold);
        }
        return n < 0 ? collect(probs, 0f) : n;
    }

    /** idx[0..n) = the ids whose probability is >= floor, in id order. Returns n. */
    private int collect(float[] probs, float floor) {
        int n = 0;
        for (int i = 0; i < probs.length; i++) {
            if (probs[i] >= floor) {
                idx[n++] = i;
            }
        }
        return n;
    }

    /** Inverse-CDF draw over the whole vocabulary in id order. */
    private static int drawAll(float[] probs, double target) {
        double acc = 0;
        int lastNonZero = 0;
        for (int i = 0; i < probs.length; i++) {
            acc += probs[i];
            if (probs[i] > 0) {
                lastNonZero = i;
            }
            if (acc > target) {
                return i;
            }
        }
        return lastNonZero; // rounding left the target at the very top
    }

    /** Compacts idx[0..n) to the ids whose probability is >= threshold, keeping their order. */
    private static int keepAtLeast(int[] ids, int n, float[] probs, float threshold) {
        int kept = 0;
        for (int i = 0; i < n; i++) {
            if (probs[ids[i]] >= threshold) {
                ids[kept++] = ids[i];
            }
        }
        return kept;
    }

    private static double sum(int[] ids, int n, float[] probs) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += probs[ids[i]];
        }
        return s;
    }

    /**
     * Inverse-CDF draw over the candidates idx[0..n) in their current order, which the deterministic
     * partial selections make a pure function of the logits: the same (logits, u) gives the same token.
     */
    private int draw(float[] probs, int n, double u) {
        int[] ids = idx;
        double target = u * sum(ids, n, probs);
        double acc = 0;
        for (int i = 0; i < n; i++) {
            acc += probs[ids[i]];
            if (acc > target) {
                return ids[i];
            }
        }
        for (int i = n - 1; i > 0; i--) { // rounding left target at the very top: last nonzero candidate
            if (probs[ids[i]] > 0) {
                return ids[i];
            }
        }
        return ids[0];
    }

    /** A uniform double in [0, 1) for draw number {@code counter} of stream {@code seed} (SplitMix64). */
    static double uniform(long seed, long counter) {
        long z = mix64(mix64(seed) + (counter + 1) * 0x9E3779B97F4A7C15L);
        return (z >>> 11) * 0x1.0p-53;
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
