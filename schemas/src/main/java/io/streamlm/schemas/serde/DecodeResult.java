package io.streamlm.schemas.serde;

import java.util.Objects;
import org.apache.avro.Schema;

/** What decoding a record value gives: the record, or a typed failure. Decoding never throws on bad bytes. */
public sealed interface DecodeResult<T> {

    /**
     * @param value        the record, resolved to the current schema
     * @param format       the wire format it arrived in
     * @param writerSchema the schema it was written with (an older version after evolution)
     */
    record Decoded<T>(T value, WireFormat format, Schema writerSchema) implements DecodeResult<T> {
        public Decoded {
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(format, "format");
            Objects.requireNonNull(writerSchema, "writerSchema");
        }
    }

    record Failed<T>(DecodeFailure failure) implements DecodeResult<T> {
        public Failed {
            Objects.requireNonNull(failure, "failure");
        }
    }

    default boolean isDecoded() {
        return this instanceof Decoded;
    }

    /** The record; throws IllegalStateException (with the failure's message) if decoding failed. */
    default T value() {
        if (this instanceof Decoded<T> decoded) {
            return decoded.value();
        }
        throw new IllegalStateException("not decoded: " + ((Failed<T>) this).failure().message());
    }
}
