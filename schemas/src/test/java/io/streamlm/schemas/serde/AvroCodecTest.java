package io.streamlm.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamlm.schemas.Completion;
import io.streamlm.schemas.DeadLetter;
import io.streamlm.schemas.DeadLetterReason;
import io.streamlm.schemas.InferenceRequest;
import io.streamlm.schemas.RequestMetrics;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class AvroCodecTest {

    private final SchemaRegistry registry = SchemaRegistry.withProjectSchemas();

    @Test
    void everyRecordRoundTripsInEveryFormat() {
        DeadLetter deadLetter = DeadLetters.of(
                DecodeFailure.ofField(DeadLetterReason.INVALID_SAMPLING, "r9", "sampling.temperature", "is NaN"),
                "key".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xC3, 0x01, 0, (byte) 0xFF},
                Fixtures.source(), 2, Fixtures.CREATED);
        List<SpecificRecord> records = List.of(Fixtures.textRequest("a"), Fixtures.chatRequest("b"),
                Fixtures.templateRequest("c"), Fixtures.tokenRequest("d"), Fixtures.minimal("e"),
                Fixtures.completion(), Fixtures.metrics(), deadLetter);
        for (SpecificRecord record : records) {
            for (WireFormat format : WireFormat.values()) {
                assertEquals(record, roundTrip(record, format), record.getSchema().getName() + " via " + format);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private <T extends SpecificRecord> T roundTrip(T record, WireFormat format) {
        AvroCodec<T> codec = AvroCodec.of((Class<T>) record.getClass(), registry);
        byte[] bytes = codec.encode(record, format);
        assertEquals(format, WireFormat.detect(bytes).orElseThrow());
        DecodeResult<T> result = codec.decode(bytes);
        assertTrue(result.isDecoded(), () -> result.toString());
        assertEquals(format, ((DecodeResult.Decoded<T>) result).format());
        return result.value();
    }

    @Test
    void singleObjectIsTheGeneratedClassesEncoding() throws Exception {
        InferenceRequest request = Fixtures.textRequest("a");
        AvroCodec<InferenceRequest> codec = AvroCodec.of(InferenceRequest.class, registry);
        byte[] ours = codec.encodeSingleObject(request);
        byte[] theirs = InferenceRequest.getEncoder().encode(request).array();
        assertArrayEquals(theirs, ours);
        assertEquals((byte) 0xC3, ours[0]);
        assertEquals((byte) 0x01, ours[1]);
        long fingerprint = ByteBuffer.wrap(ours, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(SchemaRegistry.fingerprint(InferenceRequest.getClassSchema()), fingerprint);
        assertEquals(request, InferenceRequest.getDecoder().decode(ours));
    }

    @Test
    void confluentHeaderIsMagicZeroAndBigEndianSchemaId() {
        AvroCodec<Completion> codec = AvroCodec.of(Completion.class, registry);
        byte[] bytes = codec.encodeConfluent(Fixtures.completion());
        assertArrayEquals(new byte[] {0, 0, 0, 0, (byte) SchemaRegistry.COMPLETION_ID}, Arrays.copyOf(bytes, 5));
        // the body is plain Avro binary of the writer schema
        assertEquals(SchemaRegistry.COMPLETION_ID, codec.schemaId());
    }

    @Test
    void aSchemaRegisteredUnderALargeIdIsWrittenBigEndian() {
        SchemaRegistry custom = new SchemaRegistry();
        custom.register(0x01020304, RequestMetrics.getClassSchema());
        byte[] bytes = AvroCodec.of(RequestMetrics.class, custom).encodeConfluent(Fixtures.metrics());
        assertArrayEquals(new byte[] {0, 1, 2, 3, 4}, Arrays.copyOf(bytes, 5));
        assertEquals(Fixtures.metrics(), AvroCodec.of(RequestMetrics.class, custom).decode(bytes).value());
    }

    @Test
    void jsonIsFriendly() throws Exception {
        AvroCodec<InferenceRequest> codec = AvroCodec.of(InferenceRequest.class, registry);
        JsonNode json = JsonMapping.MAPPER.readTree(codec.toJson(Fixtures.textRequest("a")));
        assertEquals("Summarise: the cat sat on the mat. ü€😀", json.get("prompt").textValue()); // no {"string": ...}
        assertEquals("2026-11-29T06:00:00.123Z", json.get("createdAt").textValue());
        assertEquals(40, json.get("sampling").get("topK").intValue());
        assertTrue(json.get("messages").isNull());

        AvroCodec<Completion> completions = AvroCodec.of(Completion.class, registry);
        JsonNode completion = JsonMapping.MAPPER.readTree(completions.toJson(Fixtures.completion()));
        assertEquals("OK", completion.get("status").textValue());
        assertEquals("-Infinity", completion.get("tokenLogprobs").get(3).textValue());
    }

    @Test
    void jsonFromScriptsNeedsOnlyIdAndPromptAndAcceptsSnakeCaseAndEpochMillis() {
        AvroCodec<InferenceRequest> codec = AvroCodec.of(InferenceRequest.class, registry);
        String json = " {\"id\":\"s1\",\"prompt\":\"Hi\",\"max_tokens\":5,\"created_at\":1764396000123,"
                + "\"sampling\":{\"temperature\":0,\"top_p\":0.5},\"deadline\":\"2026-11-29T06:00:30Z\","
                + "\"metadata\":{\"k\":\"v\"}}\n";
        InferenceRequest request = codec.decode(json.getBytes(StandardCharsets.UTF_8)).value();
        assertEquals(5, request.getMaxTokens());
        assertEquals(Instant.ofEpochMilli(1764396000123L), request.getCreatedAt());
        assertEquals(Instant.parse("2026-11-29T06:00:30Z"), request.getDeadline());
        assertEquals(0.0, request.getSampling().getTemperature());
        assertEquals(0.5, request.getSampling().getTopP());
        assertEquals(1.0, request.getSampling().getRepetitionPenalty()); // schema default
        assertEquals("default", request.getTenant());
        assertEquals(List.of(), request.getStop());

        assertEquals(Fixtures.minimal("m"),
                codec.decode("{\"id\":\"m\",\"prompt\":\"Hello\"}".getBytes(StandardCharsets.UTF_8)).value());
    }

    @Test
    void registeringIsIdempotentAndIdsAreNotReused() {
        SchemaRegistry r = SchemaRegistry.withProjectSchemas();
        assertEquals(SchemaRegistry.INFERENCE_REQUEST_ID, r.register(InferenceRequest.getClassSchema()));
        assertEquals(SchemaRegistry.DEAD_LETTER_ID, AvroCodec.of(DeadLetter.class, r).schemaId());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> r.register(SchemaRegistry.COMPLETION_ID, InferenceRequest.getClassSchema()));
    }
}
