package io.streamlm.operators.output;

import io.streamlm.operators.inference.InferenceOutcome;
import io.streamlm.schemas.serde.AvroCodec;
import io.streamlm.schemas.serde.SchemaRegistry;
import io.streamlm.schemas.serde.WireFormat;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** One Avro record per finished request to a topic, keyed by request id and stamped with the send time. */
abstract class OutcomeSerializer<T extends SpecificRecord> implements KafkaRecordSerializationSchema<InferenceOutcome> {
    private final Class<T> type;
    private final String topic;
    final String modelId;
    private final WireFormat format;
    private transient AvroCodec<T> codec;

    OutcomeSerializer(Class<T> type, String topic, String modelId, WireFormat format) {
        this.type = type;
        this.topic = topic;
        this.modelId = modelId;
        this.format = format;
    }

    /** The record for {@code o}, serialized at {@code now} (epoch millis). */
    abstract T toRecord(InferenceOutcome o, long now);

    @Override
    public ProducerRecord<byte[], byte[]> serialize(InferenceOutcome o, KafkaSinkContext context, Long timestamp) {
        if (codec == null) {
            codec = AvroCodec.of(type, SchemaRegistry.withProjectSchemas());
        }
        long now = System.currentTimeMillis();
        byte[] value = codec.encode(toRecord(o, now), format);
        return new ProducerRecord<>(topic, null, now, o.id.getBytes(StandardCharsets.UTF_8), value);
    }
}
