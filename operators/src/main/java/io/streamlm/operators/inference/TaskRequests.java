package io.streamlm.operators.inference;

import io.streamlm.engine.FinishReason;
import io.streamlm.engine.GenerationRequest;
import io.streamlm.engine.GenerationResult;
import io.streamlm.engine.Prompt;
import io.streamlm.engine.SamplingParams;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** Translates between the operator's POJOs and the engine's request/result types. */
public final class TaskRequests {
    private TaskRequests() {}

    /** The engine request for {@code task}; {@code engineId} is unique among requests in the shared engine. */
    public static GenerationRequest toRequest(InferenceTask task, String engineId) {
        SamplingParams sampling = new SamplingParams(task.temperature,
                task.topK == null ? OptionalInt.empty() : OptionalInt.of(task.topK), task.topP, task.minP,
                task.repetitionPenalty, task.presencePenalty, task.frequencyPenalty, OptionalLong.of(task.seed),
                task.maxTokens, Arrays.stream(task.stopTokenIds).boxed().toList(), Arrays.asList(task.stopStrings), task.logprobs);
        return new GenerationRequest(engineId, new Prompt.Tokens(task.promptTokens), sampling, task.priority,
                Optional.ofNullable(task.deadlineMillis).map(Instant::ofEpochMilli), task.tenant,
                task.sharedPrefixTokens > 0 ? OptionalInt.of(task.sharedPrefixTokens) : OptionalInt.empty());
    }

    /** The outcome of a finished engine request. */
    public static InferenceOutcome outcome(InferenceTask task, GenerationResult r, long batchWaitNanos, long nowMillis) {
        InferenceOutcome o = base(task, batchWaitNanos, nowMillis);
        o.finishReason = r.finishReason().name();
        o.status = status(r.finishReason()).wire;
        o.text = r.text();
        o.error = r.error().orElse(null);
        o.promptTokens = r.usage().promptTokens();
        o.cachedPromptTokens = r.usage().cachedPromptTokens();
        o.generatedTokens = r.usage().generatedTokens();
        o.queuedNanos = r.timings().queuedNanos();
        o.timeToFirstTokenNanos = r.timings().timeToFirstTokenNanos();
        o.interTokenNanos = r.timings().interTokenNanos();
        o.engineNanos = r.timings().totalNanos();
        return o;
    }

    /** The outcome of a request whose submission or execution threw instead of returning a result. */
    public static InferenceOutcome failed(InferenceTask task, Throwable error, long batchWaitNanos, long nowMillis) {
        InferenceOutcome o = base(task, batchWaitNanos, nowMillis);
        o.finishReason = FinishReason.ERROR.name();
        o.status = InferenceOutcome.Status.ERROR.wire;
        o.error = error.getClass().getSimpleName() + ": " + error.getMessage();
        o.promptTokens = task.promptTokens.length;
        return o;
    }

    static InferenceOutcome.Status status(FinishReason reason) {
        return switch (reason) {
            case STOP, LENGTH -> InferenceOutcome.Status.OK;
            case DEADLINE -> InferenceOutcome.Status.TIMEOUT;
            case CANCELLED, ERROR -> InferenceOutcome.Status.ERROR;
        };
    }

    private static InferenceOutcome base(InferenceTask task, long batchWaitNanos, long nowMillis) {
        InferenceOutcome o = new InferenceOutcome();
        o.id = task.id;
        o.tenant = task.tenant;
        o.templateId = task.templateId;
        o.createdMillis = task.createdMillis;
        o.ingestMillis = task.ingestMillis;
        o.completedMillis = nowMillis;
        o.batchWaitNanos = batchWaitNanos;
        o.metadataKeys = task.metadataKeys;
        o.metadataValues = task.metadataValues;
        return o;
    }
}
