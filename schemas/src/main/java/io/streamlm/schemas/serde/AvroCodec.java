package io.streamlm.schemas.serde;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamlm.schemas.DeadLetterReason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes one generated record type in all three {@link WireFormat}s. Decoding detects the format from
 * the first bytes, resolves older writer schemas found in the {@link SchemaRegistry} to the current one, and returns
 * a {@link DecodeResult.Failed} for bad bytes instead of throwing. Serializable (the Avro machinery is rebuilt
 * lazily), so a Flink function can hold one; safe to share between threads.
 */
public final class AvroCodec<T extends SpecificRecord> implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final SchemaRegistry registry;
    private final int schemaId;
    private transient volatile Runtime<T> runtime;

    private AvroCodec(Class<T> type, SchemaRegistry registry) {
        this.type = type;
        this.registry = registry;
        this.schemaId = registry.register(SpecificData.getForClass(type).getSchema(type));
    }

    /** A codec for {@code type}; its current schema is registered in {@code registry} if it is not yet. */
    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type, SchemaRegistry registry) {
        return new AvroCodec<>(type, registry);
    }

    public Schema schema() {
        return runtime().schema;
    }

    /** The id this codec writes in the Confluent header. */
    public int schemaId() {
        return schemaId;
    }

    public SchemaRegistry registry() {
        return registry;
    }

    public byte[] encode(T record, WireFormat format) {
        switch (format) {
            case SINGLE_OBJECT: return encodeSingleObject(record);
            case CONFLUENT: return encodeConfluent(record);
            case JSON: return toJson(record).getBytes(StandardCharsets.UTF_8);
            default: throw new IllegalArgumentException("unknown format " + format);
        }
    }

    /** Same bytes as the generated class's {@code getEncoder().encode(record)}. */
    public byte[] encodeSingleObject(T record) {
        try {
            return runtime().singleObjectEncoder.encode(record).array();
        } catch (IOException e) {
            throw new UncheckedIOException("encoding " + type.getSimpleName(), e);
        }
    }

    public byte[] encodeConfluent(T record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(WireFormat.CONFLUENT_MAGIC);
        out.writeBytes(ByteBuffer.allocate(4).putInt(schemaId).array()); // big-endian
        writeBinary(runtime().writer, record, out);
        return out.toByteArray();
    }

    /** The friendly JSON mapping of {@link JsonMapping}, on one line. */
    public String toJson(T record) {
        Runtime<T> rt = runtime();
        ByteArrayOutputStream binary = new ByteArrayOutputStream();
        writeBinary(rt.writer, record, binary);
        // re-read without logical-type conversions so JsonMapping sees plain Avro values
        try {
            Object datum = rt.plainReader.read(null, DecoderFactory.get().binaryDecoder(binary.toByteArray(), null));
            return JsonMapping.MAPPER.writeValueAsString(JsonMapping.write(datum, rt.schema));
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + type.getSimpleName() + " as JSON", e);
        }
    }

    /** Decodes a value in any of the three formats; never throws on bad input. */
    public DecodeResult<T> decode(byte[] value) {
        if (value == null) {
            return failed(DeadLetterReason.NOT_AVRO, "record has no value (a tombstone)");
        }
        Optional<WireFormat> format = WireFormat.detect(value);
        if (format.isEmpty()) {
            return failed(DeadLetterReason.NOT_AVRO, "value of " + value.length + " bytes starting " + hex(value)
                    + " is neither Avro single-object (C3 01), Confluent (00) nor a JSON object ({)");
        }
        switch (format.get()) {
            case SINGLE_OBJECT: return decodeSingleObject(value);
            case CONFLUENT: return decodeConfluent(value);
            default: return decodeJson(value);
        }
    }

    private DecodeResult<T> decodeSingleObject(byte[] value) {
        if (value.length < WireFormat.SINGLE_OBJECT_HEADER_BYTES) {
            return failed(DeadLetterReason.NOT_AVRO, "single-object header truncated: " + value.length + " bytes");
        }
        long fingerprint = ByteBuffer.wrap(value, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Optional<Schema> writer = registry.schemaByFingerprint(fingerprint);
        if (writer.isEmpty()) {
            return failed(DeadLetterReason.WRONG_SCHEMA, String.format("single-object fingerprint %016x is not a "
                    + "registered schema (expected a version of %s)", fingerprint, runtime().schema.getFullName()));
        }
        return decodeBody(value, WireFormat.SINGLE_OBJECT_HEADER_BYTES, writer.get(), WireFormat.SINGLE_OBJECT);
    }

    private DecodeResult<T> decodeConfluent(byte[] value) {
        if (value.length < WireFormat.CONFLUENT_HEADER_BYTES) {
            return failed(DeadLetterReason.NOT_AVRO, "Confluent header truncated: " + value.length + " bytes");
        }
        int id = ByteBuffer.wrap(value, 1, 4).getInt();
        Optional<Schema> writer = registry.schema(id);
        if (writer.isEmpty()) {
            return failed(DeadLetterReason.WRONG_SCHEMA, "Confluent schema id " + id + " is not registered "
                    + "(expected a version of " + runtime().schema.getFullName() + ")");
        }
        return decodeBody(value, WireFormat.CONFLUENT_HEADER_BYTES, writer.get(), WireFormat.CONFLUENT);
    }

    private DecodeResult<T> decodeBody(byte[] value, int offset, Schema writer, WireFormat format) {
        Runtime<T> rt = runtime();
        DatumReader<T> reader;
        try {
            reader = rt.readerFor(writer);
        } catch (IncompatibleSchemaException e) {
            return failed(DeadLetterReason.WRONG_SCHEMA, e.getMessage());
        }
        try {
            // Skip through the body first: skipping checks every length against the bytes present, while reading
            // would allocate whatever a corrupt length claims (up to 2 GiB per string or array) before failing.
            BinaryDecoder probe = DecoderFactory.get().binaryDecoder(value, offset, value.length - offset, null);
            GenericDatumReader.skip(writer, probe);
            if (!probe.isEnd()) {
                return failed(DeadLetterReason.NOT_AVRO, format + " body has trailing bytes after a complete "
                        + writer.getName() + " record");
            }
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(value, offset, value.length - offset, null);
            return new DecodeResult.Decoded<>(reader.read(null, decoder), format, writer);
        } catch (IOException | RuntimeException e) {
            // garbage after a valid header: EOF, negative lengths, limits (SystemLimitException), bad union index
            return failed(DeadLetterReason.NOT_AVRO, format + " body is not a valid " + writer.getName()
                    + " record: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private DecodeResult<T> decodeJson(byte[] value) {
        Runtime<T> rt = runtime();
        JsonNode node;
        try {
            node = JsonMapping.MAPPER.readTree(value);
        } catch (IOException e) {
            String detail = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
            return failed(DeadLetterReason.MALFORMED_JSON, "value is not well-formed JSON: " + detail);
        }
        Optional<String> id = Optional.ofNullable(node.get("id")).filter(JsonNode::isTextual).map(JsonNode::textValue);
        Object datum;
        try {
            datum = JsonMapping.read(node, rt.schema, "");
        } catch (JsonFieldException e) {
            DeadLetterReason reason = e.kind() == JsonFieldException.Kind.UNKNOWN_FIELD
                    ? DeadLetterReason.UNKNOWN_FIELD : DeadLetterReason.WRONG_SCHEMA;
            String where = id.map(s -> type.getSimpleName() + " '" + s + "': ").orElse(type.getSimpleName() + ": ");
            return new DecodeResult.Failed<>(new DecodeFailure(reason, where + e.getMessage(), id,
                    Optional.of(e.path())));
        }
        // through binary, so the generated class gets its logical-type conversions (Instant) applied
        ByteArrayOutputStream binary = new ByteArrayOutputStream();
        writeBinary(rt.plainWriter, datum, binary);
        try {
            T record = rt.readerFor(rt.schema).read(null,
                    DecoderFactory.get().binaryDecoder(binary.toByteArray(), null));
            return new DecodeResult.Decoded<>(record, WireFormat.JSON, rt.schema);
        } catch (IOException | IncompatibleSchemaException e) {
            throw new IllegalStateException("re-reading a record written with its own schema failed", e);
        }
    }

    private DecodeResult<T> failed(DeadLetterReason reason, String message) {
        return new DecodeResult.Failed<>(DecodeFailure.of(reason, message));
    }

    private static <D> void writeBinary(org.apache.avro.io.DatumWriter<D> writer, D datum, ByteArrayOutputStream out) {
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writer.write(datum, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing Avro binary", e);
        }
    }

    private static String hex(byte[] value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(8, value.length); i++) {
            out.append(String.format("%02X ", value[i] & 0xFF));
        }
        return value.length == 0 ? "(empty)" : out.toString().trim();
    }

    private Runtime<T> runtime() {
        Runtime<T> rt = runtime;
        if (rt == null) {
            rt = new Runtime<>(type);
            runtime = rt;
        }
        return rt;
    }

    /** Writer schema does not resolve to the reader schema. */
    private static final class IncompatibleSchemaException extends Exception {
        IncompatibleSchemaException(String message) {
            super(message, null, false, false);
        }
    }

    /** The non-serializable Avro machinery, built once per codec instance (and again after deserialization). */
    private static final class Runtime<T> {
        final Schema schema;
        final SpecificData model;
        final SpecificDatumWriter<T> writer;
        final BinaryMessageEncoder<T> singleObjectEncoder;
        // without logical-type conversions: JsonMapping works on plain Avro values (long for timestamp-millis)
        final DatumReader<Object> plainReader;
        final GenericDatumWriter<Object> plainWriter;
        final Map<Schema, DatumReader<T>> readers = new ConcurrentHashMap<>();

        Runtime(Class<T> type) {
            model = SpecificData.getForClass(type);
            schema = model.getSchema(type);
            writer = new SpecificDatumWriter<>(schema, model);
            singleObjectEncoder = new BinaryMessageEncoder<>(model, schema);
            GenericData plain = new GenericData(); // costly to build (scans the class path for conversions)
            plainReader = new GenericDatumReader<>(schema, schema, plain);
            plainWriter = new GenericDatumWriter<>(schema, plain);
        }

        DatumReader<T> readerFor(Schema writerSchema) throws IncompatibleSchemaException {
            DatumReader<T> reader = readers.get(writerSchema);
            if (reader != null) {
                return reader;
            }
            if (!writerSchema.getFullName().equals(schema.getFullName())
                    && !schema.getAliases().contains(writerSchema.getFullName())) {
                throw new IncompatibleSchemaException("record was written with schema " + writerSchema.getFullName()
                        + ", expected " + schema.getFullName());
            }
            SchemaCompatibility.SchemaPairCompatibility compatibility =
                    SchemaCompatibility.checkReaderWriterCompatibility(schema, writerSchema);
            if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                throw new IncompatibleSchemaException("writer schema " + writerSchema.getFullName()
                        + " cannot be read as the current version: " + compatibility.getDescription());
            }
            reader = new SpecificDatumReader<>(writerSchema, schema, model);
            readers.put(writerSchema, reader);
            return reader;
        }
    }
}
