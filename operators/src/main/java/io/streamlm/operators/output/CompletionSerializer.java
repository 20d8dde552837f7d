package io.streamlm.operators.output;

import io.streamlm.operators.inference.InferenceOutcome;
import io.streamlm.operators.metrics.PipelineMetrics;
import io.streamlm.schemas.Completion;
import io.streamlm.schemas.serde.WireFormat;

/**
 * Completions to their topic, keyed by request id. Serializing is the last step before the Kafka
 * producer, so this is where end-to-end latency (Kafka in to Kafka out) is observed.
 */
public final class CompletionSerializer extends OutcomeSerializer<Completion> {

    public CompletionSerializer(String topic, String modelId, WireFormat format) {
        super(Completion.class, topic, modelId, format);
    }

    @Override
    Completion toRecord(InferenceOutcome o, long now) {
        PipelineMetrics.get().recordEndToEnd(o.ingestMillis, now);
        return OutputRecords.completion(o, modelId);
    }
}
