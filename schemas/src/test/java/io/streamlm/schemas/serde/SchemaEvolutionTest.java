package io.streamlm.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlm.schemas.Completion;
import io.streamlm.schemas.DeadLetter;
import io.streamlm.schemas.DeadLetterReason;
import io.streamlm.schemas.InferenceRequest;
import io.streamlm.schemas.RequestMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * An older reader and a newer writer interoperate, and the other way round, in both binary wire formats. "v1" is
 * the request schema as first published (src/test/resources/schemas/InferenceRequest-v1.avsc); the current one is
 * what the generated class carries.
 */
class SchemaEvolutionTest {

    private static final Schema V1 = parse("/schemas/InferenceRequest-v1.avsc");
    private static final Schema CURRENT = InferenceRequest.getClassSchema();
    private static final int V1_ID = 101;

    @Test
    void currentAndV1AreCompatibleBothWays() {
        assertEquals(SchemaCompatibilityType.COMPATIBLE,
                SchemaCompatibility.checkReaderWriterCompatibility(CURRENT, V1).getType(), "new reader, old writer");
        assertEquals(SchemaCompatibilityType.COMPATIBLE,
                SchemaCompatibility.checkReaderWriterCompatibility(V1, CURRENT).getType(), "old reader, new writer");
    }

    @Test
    void oldWriterNewReaderSingleObject() throws IOException {
        SchemaRegistry registry = SchemaRegistry.withProjectSchemas();
        registry.register(V1_ID, V1);
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), V1).encode(v1Record()).array();
        assertV1FieldsWithNewDefaults(new RequestDecoder(registry, RequestValidator.create()).decode(bytes));
        // the generated decoder accepts it too once the old schema is added
        BinaryMessageDecoder<InferenceRequest> generated = InferenceRequest.createDecoder(registry);
        assertEquals("old-1", generated.decode(bytes).getId());
    }

    @Test
    void oldWriterNewReaderConfluent() {
        SchemaRegistry registry = SchemaRegistry.withProjectSchemas();
        registry.register(V1_ID, V1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 0, 0, 0, (byte) V1_ID});
        writeBinary(V1, v1Record(), out);
        assertV1FieldsWithNewDefaults(new RequestDecoder(registry, RequestValidator.create()).decode(out.toByteArray()));
    }

    @Test
    void anUnregisteredOldVersionIsWrongSchemaNotACrash() throws IOException {
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), V1).encode(v1Record()).array();
        DecodeResult<InferenceRequest> result = RequestDecoder.create().decode(bytes);
        assertEquals(DeadLetterReason.WRONG_SCHEMA, ((DecodeResult.Failed<InferenceRequest>) result).failure().reason());
    }

    @Test
    void newWriterOldReaderSingleObject() throws IOException {
        byte[] bytes = AvroCodec.of(InferenceRequest.class, SchemaRegistry.withProjectSchemas())
                .encodeSingleObject(Fixtures.textRequest("new-1"));
        BinaryMessageDecoder<GenericRecord> oldReader = new BinaryMessageDecoder<>(GenericData.get(), V1);
        oldReader.addSchema(CURRENT); // an old consumer learns the new writer schema from its registry
        assertCurrentFieldsSeenByV1(oldReader.decode(bytes));
    }

    @Test
    void newWriterOldReaderConfluent() throws IOException {
        SchemaRegistry registry = SchemaRegistry.withProjectSchemas();
        byte[] bytes = AvroCodec.of(InferenceRequest.class, registry).encodeConfluent(Fixtures.textRequest("new-1"));
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        Schema writer = registry.schema(id).orElseThrow();
        GenericRecord seen = new GenericDatumReader<GenericRecord>(writer, V1)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
        assertCurrentFieldsSeenByV1(seen);
    }

    /** The README's rules, checked: every field added since v1 has a default, and every enum has a default. */
    @Test
    void addedFieldsAndAllEnumsHaveDefaults() {
        List<String> problems = new ArrayList<>();
        collectAddedWithoutDefault(V1, CURRENT, "", problems);
        for (Schema schema : List.of(CURRENT, Completion.getClassSchema(), RequestMetrics.getClassSchema(),
                DeadLetter.getClassSchema())) {
            collectEnumsWithoutDefault(schema, problems, new ArrayList<>());
        }
        assertEquals(List.of(), problems);
    }

    // ---- helpers

    private static GenericRecord v1Record() {
        GenericRecord sampling = new GenericRecordBuilder(V1.getField("sampling").schema())
                .set("temperature", 0.2).set("seed", 99L).build();
        return new GenericRecordBuilder(V1)
                .set("id", "old-1").set("tenant", "legacy").set("createdAt", Fixtures.CREATED.toEpochMilli())
                .set("prompt", "from an old producer").set("sampling", sampling).set("maxTokens", 16)
                .set("metadata", Map.of("k", "v"))
                .build();
    }

    private static void assertV1FieldsWithNewDefaults(DecodeResult<InferenceRequest> result) {
        assertTrue(result.isDecoded(), result::toString);
        InferenceRequest request = result.value();
        assertEquals("old-1", request.getId());
        assertEquals("legacy", request.getTenant());
        assertEquals(Fixtures.CREATED, request.getCreatedAt());
        assertEquals("from an old producer", request.getPrompt());
        assertEquals(0.2, request.getSampling().getTemperature());
        assertEquals(99L, request.getSampling().getSeed());
        assertEquals(16, request.getMaxTokens());
        assertEquals(Map.of("k", "v"), request.getMetadata());
        // fields v1 did not have take their defaults
        assertEquals(0.0, request.getSampling().getMinP());
        assertEquals(false, request.getSampling().getLogprobs());
        assertNull(request.getPromptTokenIds());
        assertNull(request.getSharedPrefixTokens());
        assertEquals(List.of(), request.getStopTokenIds());
    }

    private static void assertCurrentFieldsSeenByV1(GenericRecord seen) {
        InferenceRequest sent = Fixtures.textRequest("new-1");
        assertEquals(sent.getId(), seen.get("id").toString());
        assertEquals(sent.getPrompt(), seen.get("prompt").toString());
        assertEquals(sent.getMaxTokens(), seen.get("maxTokens"));
        assertEquals(sent.getCreatedAt(), Instant.ofEpochMilli((Long) seen.get("createdAt")));
        assertEquals(sent.getSampling().getTopK(), ((GenericRecord) seen.get("sampling")).get("topK"));
        assertEquals(sent.getStop().size(), ((List<?>) seen.get("stop")).size());
        assertNull(seen.getSchema().getField("sharedPrefixTokens"), "v1 never sees fields added later");
    }

    private static void collectAddedWithoutDefault(Schema old, Schema current, String path, List<String> problems) {
        for (Schema.Field f : current.getFields()) {
            Schema.Field before = old.getField(f.name());
            if (before == null && !f.hasDefaultValue()) {
                problems.add(path + f.name() + " was added without a default");
            }
            if (before != null && f.schema().getType() == Schema.Type.RECORD) {
                collectAddedWithoutDefault(before.schema(), f.schema(), path + f.name() + ".", problems);
            }
        }
    }

    private static void collectEnumsWithoutDefault(Schema schema, List<String> problems, List<Schema> seen) {
        if (seen.contains(schema)) {
            return;
        }
        seen.add(schema);
        switch (schema.getType()) {
            case ENUM:
                if (schema.getEnumDefault() == null) problems.add("enum " + schema.getFullName() + " has no default");
                break;
            case RECORD: schema.getFields().forEach(f -> collectEnumsWithoutDefault(f.schema(), problems, seen)); break;
            case UNION: schema.getTypes().forEach(t -> collectEnumsWithoutDefault(t, problems, seen)); break;
            case ARRAY: collectEnumsWithoutDefault(schema.getElementType(), problems, seen); break;
            case MAP: collectEnumsWithoutDefault(schema.getValueType(), problems, seen); break;
            default: break;
        }
    }

    private static void writeBinary(Schema schema, GenericRecord record, ByteArrayOutputStream out) {
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Schema parse(String resource) {
        try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream(resource)) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
