package io.streamlm.jobs.local;

import io.streamlm.schemas.serde.AvroCodec;
import io.streamlm.schemas.serde.DecodeResult;
import io.streamlm.schemas.serde.SchemaRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Producing the workload and reading the outputs (read_committed) of the local pipeline. */
public final class KafkaIo {
    private KafkaIo() {}

    /** Sends every record and waits for each acknowledgement; returns the send timestamp per key. */
    public static Map<String, Long> produce(String bootstrap, String topic, List<byte[][]> keyValues) throws Exception {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("key.serializer", ByteArraySerializer.class.getName());
        p.setProperty("value.serializer", ByteArraySerializer.class.getName());
        p.setProperty("acks", "all");
        p.setProperty("enable.idempotence", "true");
        // KAFKA-15591: a retry with more than one request in flight can silently drop records (STACK.md §2)
        p.setProperty("max.in.flight.requests.per.connection", "1");
        p.setProperty("max.request.size", String.valueOf(4 << 20));
        Map<String, Long> sentAt = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (byte[][] kv : keyValues) {
                long now = System.currentTimeMillis();
                acks.add(producer.send(new ProducerRecord<>(topic, null, now, kv[0], kv[1])));
                if (kv[0] != null) {
                    sentAt.put(new String(kv[0], java.nio.charset.StandardCharsets.UTF_8), now);
                }
            }
            for (Future<RecordMetadata> f : acks) {
                f.get();
            }
        }
        return sentAt;
    }

    /** A decoded output record with its Kafka timestamp. */
    public record Output<T>(T value, long timestamp) {}

    /**
     * Reads {@code topic} from the beginning with isolation.level=read_committed until {@code done} holds
     * for everything read so far, or {@code timeout} passes (then returns what it has). Partitions are
     * assigned directly (no consumer group), so reading starts at once.
     */
    public static <T extends SpecificRecord> List<Output<T>> readCommitted(String bootstrap, String topic, Class<T> type,
            Predicate<List<Output<T>>> done, Duration timeout) {
        return read(bootstrap, topic, type, done, false, timeout);
    }

    /** Everything committed on {@code topic} up to its current end (the last stable offset). */
    public static <T extends SpecificRecord> List<Output<T>> readAllCommitted(String bootstrap, String topic, Class<T> type,
            Duration timeout) {
        return read(bootstrap, topic, type, out -> false, true, timeout);
    }

    private static <T extends SpecificRecord> List<Output<T>> read(String bootstrap, String topic, Class<T> type,
            Predicate<List<Output<T>>> done, boolean untilEnd, Duration timeout) {
        AvroCodec<T> codec = AvroCodec.of(type, SchemaRegistry.withProjectSchemas());
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("enable.auto.commit", "false");
        p.setProperty("isolation.level", "read_committed");
        p.setProperty("key.deserializer", ByteArrayDeserializer.class.getName());
        p.setProperty("value.deserializer", ByteArrayDeserializer.class.getName());
        List<Output<T>> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = untilEnd ? consumer.endOffsets(partitions) : Map.of();
            while (!done.test(out) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    DecodeResult<T> d = codec.decode(r.value());
                    out.add(new Output<>(d.value(), r.timestamp()));
                }
                if (untilEnd && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    break;
                }
            }
        }
        return out;
    }
}
