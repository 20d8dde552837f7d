package io.streamlm.operators.output;

import io.streamlm.operators.inference.InferenceOutcome;
import io.streamlm.schemas.RequestMetrics;
import io.streamlm.schemas.serde.WireFormat;

/** One RequestMetrics event per finished request, keyed by request id. */
public final class MetricsEventSerializer extends OutcomeSerializer<RequestMetrics> {

    public MetricsEventSerializer(String topic, String modelId, WireFormat format) {
        super(RequestMetrics.class, topic, modelId, format);
    }

    @Override
    RequestMetrics toRecord(InferenceOutcome o, long now) {
        return OutputRecords.metrics(o, modelId, now);
    }
}
