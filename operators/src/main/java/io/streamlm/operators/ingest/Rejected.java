package io.streamlm.operators.ingest;

/**
 * A record that did not become a request: the typed reason (a {@code DeadLetterReason} name), a message
 * naming the field and record, and the original record. Becomes a DeadLetter on the dead-letter topic.
 * A Flink POJO.
 */
public class Rejected {
    public String reason;
    public String message;
    /** The request id when the bytes decoded far enough; null otherwise. */
    public String recordId;
    public String tenant;
    public RawRecord source;
    public long rejectedMillis;

    public Rejected() {}

    public Rejected(String reason, String message, String recordId, String tenant, RawRecord source, long rejectedMillis) {
        this.reason = reason;
        this.message = message;
        this.recordId = recordId;
        this.tenant = tenant;
        this.source = source;
        this.rejectedMillis = rejectedMillis;
    }
}
