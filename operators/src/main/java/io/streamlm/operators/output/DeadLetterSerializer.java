package io.streamlm.operators.output;

import io.streamlm.operators.ingest.Rejected;
import io.streamlm.schemas.DeadLetter;
import io.streamlm.schemas.serde.AvroCodec;
import io.streamlm.schemas.serde.SchemaRegistry;
import io.streamlm.schemas.serde.WireFormat;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Dead letters to their topic, keyed like the original record (so they partition alike). */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<Rejected> {
    private final String topic;
    private final WireFormat format;
    private transient AvroCodec<DeadLetter> codec;

    public DeadLetterSerializer(String topic, WireFormat format) {
        this.topic = topic;
        this.format = format;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Rejected r, KafkaSinkContext context, Long timestamp) {
        if (codec == null) {
            codec = AvroCodec.of(DeadLetter.class, SchemaRegistry.withProjectSchemas());
        }
        return new ProducerRecord<>(topic, null, System.currentTimeMillis(), r.source.key,
                codec.encode(OutputRecords.deadLetter(r), format));
    }
}
