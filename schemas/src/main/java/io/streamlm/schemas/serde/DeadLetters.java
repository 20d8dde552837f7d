package io.streamlm.schemas.serde;

import io.streamlm.schemas.DeadLetter;
import io.streamlm.schemas.SourcePosition;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Builds the dead-letter record for a failure, keeping the original bytes. */
public final class DeadLetters {

    private DeadLetters() {}

    /**
     * @param rawKey   the Kafka record key, or null
     * @param rawValue the Kafka record value exactly as read, or null for a tombstone
     * @param source   where it was read from
     * @param attempt  1 for the first try
     */
    public static DeadLetter of(DecodeFailure failure, byte[] rawKey, byte[] rawValue, SourcePosition source,
                                int attempt, Instant failedAt) {
        return DeadLetter.newBuilder()
                .setReason(failure.reason())
                .setMessage(failure.message())
                .setRecordId(failure.recordId().orElse(null))
                .setRawKey(rawKey == null ? null : ByteBuffer.wrap(rawKey.clone()))
                .setRawValue(rawValue == null ? null : ByteBuffer.wrap(rawValue.clone()))
                .setSource(source)
                .setAttempt(attempt)
                .setFailedAt(failedAt)
                .build();
    }
}
