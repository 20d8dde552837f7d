package io.streamlm.schemas.serde;

import java.util.Optional;

/** The three encodings a record value may arrive in; told apart by their first bytes. */
public enum WireFormat {
    /** Avro single-object encoding: {@code C3 01}, 8-byte little-endian CRC-64-AVRO fingerprint, binary body. */
    SINGLE_OBJECT,
    /** Confluent wire format: magic byte {@code 00}, 4-byte big-endian schema id, binary body. */
    CONFLUENT,
    /** A JSON object (UTF-8), field names as in the schema; see {@link JsonMapping}. */
    JSON;

    static final byte SINGLE_OBJECT_MAGIC_0 = (byte) 0xC3;
    static final byte SINGLE_OBJECT_MAGIC_1 = (byte) 0x01;
    static final int SINGLE_OBJECT_HEADER_BYTES = 10;
    static final byte CONFLUENT_MAGIC = 0;
    static final int CONFLUENT_HEADER_BYTES = 5;

    /** The format whose magic bytes {@code value} starts with; empty when none matches. */
    public static Optional<WireFormat> detect(byte[] value) {
        if (value.length >= 2 && value[0] == SINGLE_OBJECT_MAGIC_0 && value[1] == SINGLE_OBJECT_MAGIC_1) {
            return Optional.of(SINGLE_OBJECT);
        }
        if (value.length >= 1 && value[0] == CONFLUENT_MAGIC) {
            return Optional.of(CONFLUENT);
        }
        int i = 0;
        // a UTF-8 byte order mark and leading whitespace are legal before a JSON object
        if (value.length >= 3 && value[0] == (byte) 0xEF && value[1] == (byte) 0xBB && value[2] == (byte) 0xBF) {
            i = 3;
        }
        while (i < value.length && (value[i] == ' ' || value[i] == '\t' || value[i] == '\r' || value[i] == '\n')) {
            i++;
        }
        if (i < value.length && value[i] == '{') {
            return Optional.of(JSON);
        }
        return Optional.empty();
    }
}
