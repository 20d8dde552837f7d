package io.streamlm.engine;

import io.streamlm.tokenizer.StopStringMatcher;
import io.streamlm.tokenizer.StreamDecoder;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.LoggerFactory;

/**
 * The engine-side output of one request: streams text deltas to its listener, keeps timings and completes
 * its future exactly once. Engine thread only (except {@link #result}, which callers read).
 */
final class RequestOutput {
    final String id;
    final TokenListener listener;
    final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
    private final Optional<StreamDecoder> decoder;
    private final StopStringMatcher stops;
    private final StringBuilder text = new StringBuilder();
    final long submitNanos;
    private long firstScheduledNanos;
    private long firstTokenNanos;
    private long lastTokenNanos;
    private long[] interTokenNanos = new long[16]; // [capacity] gaps between consecutive tokens
    private int numGaps;
    private boolean completed;

    RequestOutput(String id, TokenListener listener, Optional<StreamDecoder> decoder, StopStringMatcher stops, long submitNanos) {
        this.id = id;
        this.listener = listener;
        this.decoder = decoder;
        this.stops = stops;
        this.submitNanos = submitNanos;
    }

    void markScheduled(long nowNanos) {
        if (firstScheduledNanos == 0) {
            firstScheduledNanos = nowNanos;
        }
    }

    /**
     * Handles one new token: decodes it (unless it is the stop token that ended the request), checks stop
     * strings, and calls the listener with the text now safe to emit.
     *
     * @return true if a stop string completed (the request must finish with STOP)
     */
    boolean onToken(int tokenId, boolean isStopToken, boolean isLast, long nowNanos) {
        if (firstTokenNanos == 0) {
            firstTokenNanos = nowNanos;
        } else {
            if (numGaps == interTokenNanos.length) {
                interTokenNanos = Arrays.copyOf(interTokenNanos, numGaps * 2);
            }
            interTokenNanos[numGaps++] = nowNanos - lastTokenNanos;
        }
        lastTokenNanos = nowNanos;
        String delta = "";
        if (!isStopToken && decoder.isPresent() && !stops.stopped()) {
            delta = stops.feed(decoder.get().feed(tokenId)).text();
        }
        boolean stopString = stops.stopped();
        if (isLast || stopString) {
            delta += flushText();
        }
        text.append(delta);
        try {
            listener.onToken(tokenId, delta);
        } catch (RuntimeException e) {
            // a faulty listener must not stop the engine or other requests; the result still completes
            LoggerFactory.getLogger(RequestOutput.class).warn("token listener of request {} threw", id, e);
        }
        return stopString;
    }

    private String flushText() {
        if (stops.stopped()) {
            return "";
        }
        String rest = decoder.map(d -> stops.feed(d.flush()).text()).orElse("");
        return stops.stopped() ? rest : rest + stops.flush();
    }

    /** Completes the result (once). */
    void complete(Request r, long nowNanos) {
        if (completed) {
            return;
        }
        completed = true;
        if (!r.status.isFinished()) {
            throw new IllegalStateException("request " + id + " completed while " + r.status);
        }
        FinishReason reason = r.status.finishReason();
        if (reason != FinishReason.ERROR) {
            text.append(flushText()); // cancelled or expired mid-stream: keep the held-back text in the result
        }
        long queued = (firstScheduledNanos == 0 ? nowNanos : firstScheduledNanos) - submitNanos;
        long ttft = firstTokenNanos == 0 ? 0 : firstTokenNanos - submitNanos;
        Timings timings = new Timings(queued, ttft, Arrays.copyOf(interTokenNanos, numGaps), nowNanos - submitNanos);
        Usage usage = new Usage(r.numPromptTokens, r.numCachedPromptTokens, r.numOutputTokens());
        Optional<float[]> logprobs = r.wantLogprobs ? Optional.of(Arrays.copyOf(r.logprobs, r.numOutputTokens())) : Optional.empty();
        Optional<String> error = reason == FinishReason.ERROR
                ? Optional.of(r.errorMessage.orElse("request failed")) : Optional.empty();
        result.complete(new GenerationResult(id, reason, text.toString(), r.outputTokens(), logprobs, error, usage, timings));
    }
}
