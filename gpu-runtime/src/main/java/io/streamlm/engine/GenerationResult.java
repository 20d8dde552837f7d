package io.streamlm.engine;

import java.util.List;
import java.util.Optional;

/**
 * How a request ended.
 *
 * @param id           the request's id
 * @param finishReason why it ended
 * @param text         the generated text (stop string excluded)
 * @param tokenIds     the generated token ids
 * @param logprobs     log-probability of each generated token, when requested
 * @param error        the message when finishReason is ERROR
 * @param usage        token counts
 * @param timings      latencies
 */
public record GenerationResult(
        String id,
        FinishReason finishReason,
        String text,
        int[] tokenIds,
        Optional<float[]> logprobs,
        Optional<String> error,
        Usage usage,
        Timings timings) {}
