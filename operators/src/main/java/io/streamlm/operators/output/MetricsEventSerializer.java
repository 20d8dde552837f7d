package io.streamlm.operators.output;

import io.streamlm.operators.inference.InferenceOutcome;
import io.streamlm.schemas.RequestMetrics;
import io.streamlm.schemas.serde.AvroCodec;
import io.streamlm.schemas.serde.SchemaRegistry;
import io.streamlm.schemas.serde.WireFormat;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** One RequestMetrics event per finished request, keyed by request id. */
public final class MetricsEventSerializer implements KafkaRecordSerializationSchema<InferenceOutcome> {
    private final String topic;
    private final String modelId;
    private final WireFormat format;
    private transient AvroCodec<RequestMetrics> codec;

    public MetricsEventSerializer(String topic, String modelId, WireFormat format) {
        this.topic = topic;
        this.modelId = modelId;
        this.format = format;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(InferenceOutcome o, KafkaSinkContext context, Long timestamp) {
        if (codec == null) {
            codec = AvroCodec.of(RequestMetrics.class, SchemaRegistry.withProjectSchemas());
        }
        long now = System.currentTimeMillis();
        byte[] value = codec.encode(OutputRecords.metrics(o, modelId, now), format);
        return new ProducerRecord<>(topic, null, now, o.id.getBytes(StandardCharsets.UTF_8), value);
    }
}
