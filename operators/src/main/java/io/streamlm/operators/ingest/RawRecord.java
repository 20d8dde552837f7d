package io.streamlm.operators.ingest;

/**
 * A Kafka record as read, before any decoding: the bytes plus where they came from, so a record that
 * fails to decode reaches the dead-letter topic intact and traceable. A Flink POJO.
 */
public class RawRecord {
    public String topic;
    public int partition;
    public long offset;
    /** The record's timestamp (epoch millis): the start of end-to-end latency. */
    public long timestamp;
    /** Null when the record has no key. */
    public byte[] key;
    /** Null for a tombstone. */
    public byte[] value;

    public RawRecord() {}

    public RawRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
    }
}
