package io.streamlm.engine;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * How to pick each next token, and when to stop. Defaults are greedy decoding with no penalties.
 *
 * @param temperature       0 means greedy (argmax); otherwise logits are divided by it
 * @param topK              keep the k most likely tokens (empty: all)
 * @param topP              nucleus mass in (0, 1]
 * @param minP              drop tokens below minP * p(max), in [0, 1)
 * @param repetitionPenalty HF-style multiplicative penalty on tokens seen in prompt or output (1 = off)
 * @param presencePenalty   OpenAI-style additive penalty on tokens seen in the output (0 = off)
 * @param frequencyPenalty  OpenAI-style additive penalty times output count (0 = off)
 * @param seed              makes sampling reproducible for this request (empty: engine-chosen)
 * @param maxTokens         new tokens at most
 * @param stopTokenIds      token ids that end generation (the token is not part of the text)
 * @param stopStrings       strings that end generation (excluded from the text)
 * @param logprobs          whether to return the log-probability of each chosen token
 */
public record SamplingParams(
        double temperature,
        OptionalInt topK,
        double topP,
        double minP,
        double repetitionPenalty,
        double presencePenalty,
        double frequencyPenalty,
        OptionalLong seed,
        int maxTokens,
        List<Integer> stopTokenIds,
        List<String> stopStrings,
        boolean logprobs) {

    public SamplingParams {
        Objects.requireNonNull(topK, "topK");
        Objects.requireNonNull(seed, "seed");
        stopTokenIds = List.copyOf(stopTokenIds);
        stopStrings = List.copyOf(stopStrings);
        requireFinite("temperature", temperature);
        requireFinite("topP", topP);
        requireFinite("minP", minP);
        requireFinite("repetitionPenalty", repetitionPenalty);
        requireFinite("presencePenalty", presencePenalty);
        requireFinite("frequencyPenalty", frequencyPenalty);
        if (temperature < 0) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (topK.isPresent() && topK.getAsInt() < 1) {
            throw new IllegalArgumentException("topK must be >= 1, got " + topK.getAsInt());
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
        if (!(minP >= 0 && minP < 1)) {
            throw new IllegalArgumentException("minP must be in [0, 1), got " + minP);
        }
        if (repetitionPenalty <= 0) {
            throw new IllegalArgumentException("repetitionPenalty must be > 0, got " + repetitionPenalty);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
        }
        for (String s : stopStrings) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
    }

    private static void requireFinite(String name, double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(name + " must be a finite number, got " + v);
        }
    }

    /** Greedy decoding of at most {@code maxTokens} tokens. */
    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(0, OptionalInt.empty(), 1, 0, 1, 0, 0, OptionalLong.empty(), maxTokens,
                List.of(), List.of(), false);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }

    public SamplingParams withSeed(long newSeed) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                frequencyPenalty, OptionalLong.of(newSeed), maxTokens, stopTokenIds, stopStrings, logprobs);
    }
}
