package io.streamlm.operators.output;

import io.streamlm.operators.ingest.Rejected;
import io.streamlm.operators.inference.InferenceOutcome;
import io.streamlm.schemas.Completion;
import io.streamlm.schemas.DeadLetter;
import io.streamlm.schemas.DeadLetterReason;
import io.streamlm.schemas.FinishReason;
import io.streamlm.schemas.RequestMetrics;
import io.streamlm.schemas.RequestStatus;
import io.streamlm.schemas.SourcePosition;
import io.streamlm.schemas.Timings;
import io.streamlm.schemas.Usage;
import io.streamlm.schemas.serde.DeadLetters;
import io.streamlm.schemas.serde.DecodeFailure;
import java.time.Instant;
import java.util.Optional;

/** Builds the Avro output records from the operator's POJOs. */
public final class OutputRecords {
    private OutputRecords() {}

    public static Completion completion(InferenceOutcome o, String modelId) {
        return Completion.newBuilder()
                .setId(o.id)
                .setTenant(o.tenant)
                .setStatus(RequestStatus.valueOf(o.status.toUpperCase()))
                .setText(o.text)
                .setFinishReason(FinishReason.valueOf(o.finishReason))
                .setErrorMessage(o.error)
                .setUsage(usage(o))
                .setTimings(timings(o))
                .setModelId(modelId)
                .setMetadata(new InferenceOutcomeMetadata(o).map())
                .setRequestCreatedAt(Instant.ofEpochMilli(o.createdMillis))
                .setCompletedAt(Instant.ofEpochMilli(o.completedMillis))
                .build();
    }

    public static RequestMetrics metrics(InferenceOutcome o, String modelId, long nowMillis) {
        return RequestMetrics.newBuilder()
                .setId(o.id)
                .setTenant(o.tenant)
                .setStatus(RequestStatus.valueOf(o.status.toUpperCase()))
                .setFinishReason(FinishReason.valueOf(o.finishReason))
                .setModelId(modelId)
                .setUsage(usage(o))
                .setTimings(timings(o))
                .setEndToEndMicros(Math.max(0, nowMillis - o.ingestMillis) * 1000)
                .setOperatorMicros((o.batchWaitNanos + o.engineNanos) / 1000)
                .setEmittedAt(Instant.ofEpochMilli(nowMillis))
                .build();
    }

    public static DeadLetter deadLetter(Rejected r) {
        DecodeFailure f = new DecodeFailure(DeadLetterReason.valueOf(r.reason), r.message, Optional.ofNullable(r.recordId),
                Optional.empty());
        SourcePosition source = SourcePosition.newBuilder().setTopic(r.source.topic).setPartition(r.source.partition)
                .setOffset(r.source.offset).setTimestamp(Instant.ofEpochMilli(r.source.timestamp)).build();
        DeadLetter d = DeadLetters.of(f, r.source.key, r.source.value, source, 1, Instant.ofEpochMilli(r.rejectedMillis));
        d.setTenant(r.tenant);
        return d;
    }

    private static Usage usage(InferenceOutcome o) {
        return Usage.newBuilder().setPromptTokens(o.promptTokens).setCachedPromptTokens(o.cachedPromptTokens)
                .setGeneratedTokens(o.generatedTokens).build();
    }

    private static Timings timings(InferenceOutcome o) {
        long meanGap = 0;
        for (long g : o.interTokenNanos) {
            meanGap += g;
        }
        return Timings.newBuilder()
                .setQueuedMicros((o.batchWaitNanos + o.queuedNanos) / 1000)
                .setTimeToFirstTokenMicros(o.generatedTokens > 0 ? (o.batchWaitNanos + o.timeToFirstTokenNanos) / 1000 : null)
                .setMeanInterTokenMicros(o.interTokenNanos.length > 0 ? meanGap / o.interTokenNanos.length / 1000 : null)
                .setTotalMicros((o.batchWaitNanos + o.engineNanos) / 1000)
                .build();
    }

    /** The metadata map of an outcome. */
    private record InferenceOutcomeMetadata(InferenceOutcome o) {
        java.util.Map<String, String> map() {
            java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
            for (int i = 0; i < o.metadataKeys.length; i++) {
                m.put(o.metadataKeys[i], o.metadataValues[i]);
            }
            return m;
        }
    }
}
