package io.streamlm.operators.output;

import io.streamlm.operators.inference.InferenceOutcome;
import io.streamlm.operators.metrics.PipelineMetrics;
import io.streamlm.schemas.Completion;
import io.streamlm.schemas.serde.AvroCodec;
import io.streamlm.schemas.serde.SchemaRegistry;
import io.streamlm.schemas.serde.WireFormat;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Completions to their topic, keyed by request id. Serializing is the last step before the Kafka
 * producer, so this is where end-to-end latency (Kafka in to Kafka out) is observed.
 */
public final class CompletionSerializer implements KafkaRecordSerializationSchema<InferenceOutcome> {
    private final String topic;
    private final String modelId;
    private final WireFormat format;
    private transient AvroCodec<Completion> codec;

    public CompletionSerializer(String topic, String modelId, WireFormat format) {
        this.topic = topic;
        this.modelId = modelId;
        this.format = format;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(InferenceOutcome o, KafkaSinkContext context, Long timestamp) {
        if (codec == null) {
            codec = AvroCodec.of(Completion.class, SchemaRegistry.withProjectSchemas());
        }
        long now = System.currentTimeMillis();
        PipelineMetrics.get().recordEndToEnd(o.ingestMillis, now);
        byte[] value = codec.encode(OutputRecords.completion(o, modelId), format);
        return new ProducerRecord<>(topic, null, now, o.id.getBytes(StandardCharsets.UTF_8), value);
    }
}
