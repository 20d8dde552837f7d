package io.streamlm.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlm.schemas.DeadLetter;
import io.streamlm.schemas.DeadLetterReason;
import io.streamlm.schemas.InferenceRequest;
import io.streamlm.schemas.SamplingParams;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** Format auto-detection and every class of bad input, in every format where it can occur. */
class RequestDecoderTest {

    private final RequestDecoder decoder = RequestDecoder.create();
    private final AvroCodec<InferenceRequest> codec = decoder.codec();

    @Test
    void decodesValidRequestsInAllFormats() {
        for (WireFormat format : WireFormat.values()) {
            DecodeResult<InferenceRequest> result = decoder.decode(codec.encode(Fixtures.chatRequest("c1"), format));
            assertTrue(result instanceof DecodeResult.Decoded<InferenceRequest> d && d.format() == format, format::name);
            assertEquals(Fixtures.chatRequest("c1"), result.value());
        }
    }

    @Test
    void bytesInNoKnownFormatAreNotAvro() {
        expect(DeadLetterReason.NOT_AVRO, null, "tombstone");
        expect(DeadLetterReason.NOT_AVRO, new byte[0], "(empty)");
        expect(DeadLetterReason.NOT_AVRO, utf8("hello, model"), "68 65 6C 6C 6F");
        expect(DeadLetterReason.NOT_AVRO, utf8("[1,2]"), "neither");
        // raw Avro binary without a header (the id's length varint comes first)
        byte[] raw = Arrays.copyOfRange(codec.encodeConfluent(Fixtures.textRequest("r")), 5, 40);
        expect(DeadLetterReason.NOT_AVRO, raw, "neither");
    }

    @Test
    void damagedAvroIsNotAvro() {
        byte[] single = codec.encodeSingleObject(Fixtures.textRequest("r"));
        byte[] confluent = codec.encodeConfluent(Fixtures.textRequest("r"));
        expect(DeadLetterReason.NOT_AVRO, Arrays.copyOf(single, 6), "header truncated");
        expect(DeadLetterReason.NOT_AVRO, Arrays.copyOf(confluent, 3), "header truncated");
        expect(DeadLetterReason.NOT_AVRO, Arrays.copyOf(single, single.length - 4), "not a valid InferenceRequest");
        expect(DeadLetterReason.NOT_AVRO, Arrays.copyOf(confluent, confluent.length - 4), "not a valid");
        expect(DeadLetterReason.NOT_AVRO, Arrays.copyOf(single, single.length + 3), "trailing bytes");
        // a huge string length after a valid header must not allocate gigabytes
        byte[] hugeLength = Arrays.copyOf(single, 20);
        System.arraycopy(new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}, 0, hugeLength, 10, 5);
        expect(DeadLetterReason.NOT_AVRO, hugeLength, "not a valid");
    }

    @Test
    void aCorruptLengthDoesNotAllocateWhatItClaims() {
        // header, then id "x", tenant "t", createdAt 0, prompt = union branch 1 (string) of claimed length 2e9
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(Arrays.copyOf(codec.encodeSingleObject(Fixtures.minimal("x")), 10));
        body.writeBytes(new byte[] {2, 'x', 2, 't', 0, 2});
        for (long v = 2L * 2_000_000_000L; ; v >>>= 7) { // zigzag varint
            if ((v & ~0x7FL) == 0) { body.write((int) v); break; }
            body.write((int) ((v & 0x7F) | 0x80));
        }
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        expect(DeadLetterReason.NOT_AVRO, body.toByteArray(), "not a valid InferenceRequest");
        long allocatedBytes = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocatedBytes < 64L << 20, "decoding a 17-byte record allocated " + allocatedBytes + " bytes");
    }

    @Test
    void recordsOfAnotherSchemaAreWrongSchema() {
        SchemaRegistry registry = decoder.codec().registry();
        AvroCodec<io.streamlm.schemas.Completion> completions =
                AvroCodec.of(io.streamlm.schemas.Completion.class, registry);
        expect(DeadLetterReason.WRONG_SCHEMA, completions.encodeSingleObject(Fixtures.completion()),
                "written with schema io.streamlm.schemas.Completion");
        expect(DeadLetterReason.WRONG_SCHEMA, completions.encodeConfluent(Fixtures.completion()),
                "written with schema io.streamlm.schemas.Completion");

        byte[] unknownFingerprint = codec.encodeSingleObject(Fixtures.textRequest("r"));
        unknownFingerprint[5] ^= 0x55;
        expect(DeadLetterReason.WRONG_SCHEMA, unknownFingerprint, "is not a registered schema");
        byte[] unknownId = codec.encodeConfluent(Fixtures.textRequest("r"));
        unknownId[4] = 99;
        expect(DeadLetterReason.WRONG_SCHEMA, unknownId, "schema id 99 is not registered");

        // same name, incompatible type: id as an int
        Schema incompatible = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"InferenceRequest\","
                + "\"namespace\":\"io.streamlm.schemas\",\"fields\":[{\"name\":\"id\",\"type\":\"int\"}]}");
        int id = registry.register(incompatible);
        byte[] bytes = {0, 0, 0, 0, (byte) id, 0x02};
        expect(DeadLetterReason.WRONG_SCHEMA, bytes, "cannot be read as the current version");
    }

    @Test
    void badJsonIsTypedByWhatIsWrong() {
        expect(DeadLetterReason.MALFORMED_JSON, utf8("{\"id\": \"j\", \"prompt\": "), "not well-formed JSON");
        expect(DeadLetterReason.MALFORMED_JSON, utf8("{\"id\":\"j\",\"prompt\":\"x\"} trailing"), "not well-formed");
        expect(DeadLetterReason.UNKNOWN_FIELD, utf8("{\"id\":\"j\",\"prompt\":\"x\",\"temprature\":0.5}"),
                "unknown field 'temprature'");
        expect(DeadLetterReason.UNKNOWN_FIELD, utf8("{\"id\":\"j\",\"prompt\":\"x\",\"sampling\":{\"top_q\":1}}"),
                "unknown field 'sampling.top_q'");
        expect(DeadLetterReason.MISSING_ID, utf8("{\"prompt\":\"x\"}"), "missing required field 'id'");
        expect(DeadLetterReason.MISSING_ID, utf8("{\"id\":7,\"prompt\":\"x\"}"), "field 'id' must be a string");
        expect(DeadLetterReason.INVALID_MAX_TOKENS, utf8("{\"id\":\"j\",\"prompt\":\"x\",\"maxTokens\":\"many\"}"),
                "field 'maxTokens' must be an integer");
        expect(DeadLetterReason.INVALID_MAX_TOKENS, utf8("{\"id\":\"j\",\"prompt\":\"x\",\"maxTokens\":1e12}"),
                "maxTokens");
        expect(DeadLetterReason.INVALID_MAX_TOKENS,
                utf8("{\"id\":\"j\",\"prompt\":\"x\",\"maxTokens\":10000000000}"), "within int range");
        expect(DeadLetterReason.INVALID_SAMPLING,
                utf8("{\"id\":\"j\",\"prompt\":\"x\",\"sampling\":{\"temperature\":\"hot\"}}"),
                "'sampling.temperature' must be a number");
        expect(DeadLetterReason.INVALID_STOP, utf8("{\"id\":\"j\",\"prompt\":\"x\",\"stop\":\"END\"}"),
                "'stop' must be an array");
        expect(DeadLetterReason.WRONG_SCHEMA, utf8("{\"id\":\"j\",\"prompt\":[\"x\"]}"), "'prompt' must be a string");
        // the record id is reported when it could be read
        DecodeFailure failure = failure(utf8("{\"id\":\"j7\",\"prompt\":\"x\",\"bogus\":1}"));
        assertEquals(Optional.of("j7"), failure.recordId());
        assertTrue(failure.message().contains("'j7'"), failure.message());
    }

    @Test
    void invalidRequestsAreTypedInEveryFormat() {
        InferenceRequest base = Fixtures.textRequest("v1");
        check(DeadLetterReason.MISSING_ID, with(base).setId(""), "id is missing");
        check(DeadLetterReason.MISSING_ID, with(base).setId("  "), "id is missing");
        check(DeadLetterReason.MISSING_PROMPT, with(base).setPrompt(null), "prompt is missing");
        check(DeadLetterReason.MISSING_PROMPT, with(base).setPrompt(""), "prompt is empty");
        check(DeadLetterReason.MISSING_PROMPT, with(Fixtures.chatRequest("v1")).setMessages(java.util.List.of()),
                "messages is empty");
        check(DeadLetterReason.MISSING_PROMPT, with(Fixtures.tokenRequest("v1")).setPromptTokenIds(java.util.List.of()),
                "promptTokenIds is empty");
        check(DeadLetterReason.MULTIPLE_PROMPTS, with(Fixtures.chatRequest("v1")).setPrompt("also"), "ambiguous");
        check(DeadLetterReason.INVALID_MAX_TOKENS, with(base).setMaxTokens(0), "maxTokens must be in [1, 1048576], got 0");
        check(DeadLetterReason.INVALID_MAX_TOKENS, with(base).setMaxTokens(-5), "got -5");
        check(DeadLetterReason.INVALID_MAX_TOKENS, with(base).setMaxTokens(2_000_000_000), "got 2000000000");
        check(DeadLetterReason.INVALID_SAMPLING, sampling(base, s -> s.setTemperature(Double.NaN)),
                "sampling.temperature must be a finite number >= 0, got NaN");
        check(DeadLetterReason.INVALID_SAMPLING, sampling(base, s -> s.setTemperature(Double.POSITIVE_INFINITY)),
                "got Infinity");
        check(DeadLetterReason.INVALID_SAMPLING, sampling(base, s -> s.setTemperature(-0.1)), "got -0.1");
        check(DeadLetterReason.INVALID_SAMPLING, sampling(base, s -> s.setTopP(0.0)), "sampling.topP");
        check(DeadLetterReason.INVALID_SAMPLING, sampling(base, s -> s.setTopP(1.5)), "sampling.topP");
        check(DeadLetterReason.INVALID_SAMPLING, sampling(base, s -> s.setTopP(Double.NaN)), "sampling.topP");
        check(DeadLetterReason.INVALID_SAMPLING, sampling(base, s -> s.setTopK(0)), "sampling.topK");
        check(DeadLetterReason.INVALID_SAMPLING, sampling(base, s -> s.setMinP(1.0)), "sampling.minP");
        check(DeadLetterReason.INVALID_SAMPLING, sampling(base, s -> s.setRepetitionPenalty(0.0)),
                "sampling.repetitionPenalty");
        check(DeadLetterReason.INVALID_SAMPLING, sampling(base, s -> s.setPresencePenalty(2.5)),
                "sampling.presencePenalty");
        check(DeadLetterReason.INVALID_SAMPLING, sampling(base, s -> s.setFrequencyPenalty(Double.NaN)),
                "sampling.frequencyPenalty");
        check(DeadLetterReason.INVALID_STOP, with(base).setStop(java.util.List.of("ok", "")), "stop[1] must not be empty");
        check(DeadLetterReason.INVALID_STOP, with(base).setStopTokenIds(java.util.List.of(-1)), "stopTokenIds[0]");
        check(DeadLetterReason.INVALID_FIELD, with(base).setTenant(""), "tenant must not be blank");
        check(DeadLetterReason.INVALID_FIELD, with(base).setSharedPrefixTokens(-1), "sharedPrefixTokens");
        check(DeadLetterReason.INVALID_FIELD, with(Fixtures.tokenRequest("v1"))
                .setPromptTokenIds(java.util.List.of(5, -2)), "promptTokenIds[1]");
        check(DeadLetterReason.INVALID_FIELD, with(Fixtures.chatRequest("v1")).setMessages(java.util.List.of(
                new io.streamlm.schemas.ChatMessage("robot", "hi"))), "messages[0].role");
    }

    @Test
    void jsonNanTemperatureIsInvalidSampling() {
        for (String t : new String[] {"NaN", "\"NaN\"", "\"Infinity\"", "-1"}) {
            expect(DeadLetterReason.INVALID_SAMPLING,
                    utf8("{\"id\":\"n\",\"prompt\":\"x\",\"sampling\":{\"temperature\":" + t + "}}"),
                    "request 'n': sampling.temperature must be a finite number >= 0");
        }
    }

    @Test
    void templatesAreCheckedWhenACatalogIsGiven() {
        InferenceRequest request = Fixtures.templateRequest("t1"); // classify-ticket with subject and body
        assertTrue(decoder.decode(codec.encodeSingleObject(request)).isDecoded(), "no catalog: pipeline checks");
        TemplateCatalog catalog = id -> id.equals("classify-ticket")
                ? Optional.of(Set.of("subject", "body")) : Optional.empty();
        RequestDecoder checking = new RequestDecoder(SchemaRegistry.withProjectSchemas(),
                RequestValidator.create().withTemplates(catalog));
        assertTrue(checking.decode(codec.encodeSingleObject(request)).isDecoded());
        InferenceRequest unknown = InferenceRequest.newBuilder(request)
                .setTemplate(new io.streamlm.schemas.TemplatePrompt("nope", java.util.Map.of())).build();
        DecodeFailure failure = ((DecodeResult.Failed<InferenceRequest>) checking.decode(
                codec.encodeSingleObject(unknown))).failure();
        assertEquals(DeadLetterReason.UNKNOWN_TEMPLATE, failure.reason());
        assertEquals("request 't1': template.templateId names template 'nope', which is not registered",
                failure.message());
        InferenceRequest missingVar = InferenceRequest.newBuilder(request)
                .setTemplate(new io.streamlm.schemas.TemplatePrompt("classify-ticket", java.util.Map.of("body", "b")))
                .build();
        failure = ((DecodeResult.Failed<InferenceRequest>) checking.decode(
                codec.encodeSingleObject(missingVar))).failure();
        assertEquals(DeadLetterReason.MISSING_TEMPLATE_VARIABLE, failure.reason());
        assertTrue(failure.message().contains("lacks 'subject'"), failure.message());
    }

    @Test
    void maxTokensLimitIsConfigurableAndPromptLengthHasAHook() {
        RequestDecoder strict = new RequestDecoder(SchemaRegistry.withProjectSchemas(),
                RequestValidator.create().withMaxTokensLimit(32));
        DecodeResult<InferenceRequest> result = strict.decode(codec.encodeSingleObject(Fixtures.textRequest("l")));
        assertEquals(DeadLetterReason.INVALID_MAX_TOKENS, ((DecodeResult.Failed<InferenceRequest>) result)
                .failure().reason()); // fixture asks for 64
        DecodeFailure tooLong = DecodeFailure.promptTooLong("l", 5000, 4096);
        assertEquals(DeadLetterReason.PROMPT_TOO_LONG, tooLong.reason());
        assertEquals(Optional.of("prompt"), tooLong.field());
        assertTrue(tooLong.message().startsWith("request 'l': prompt has 5000 tokens"), tooLong.message());
    }

    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(7);
        byte[] valid = codec.encodeSingleObject(Fixtures.textRequest("f"));
        byte[] confluent = codec.encodeConfluent(Fixtures.textRequest("f"));
        int numDecoded = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] bytes;
            switch (i % 4) {
                case 0: bytes = new byte[random.nextInt(64)]; random.nextBytes(bytes); break;
                case 1: bytes = valid.clone(); flip(bytes, random, 10); break;
                case 2: bytes = confluent.clone(); flip(bytes, random, 5); break;
                default: bytes = utf8("{\"id\":\"f\",\"prompt\":\"" + random.nextInt() + "\"" + "}}]".substring(
                        0, random.nextInt(3)));
            }
            DecodeResult<InferenceRequest> result = decoder.decode(bytes); // must not throw
            numDecoded += result.isDecoded() ? 1 : 0;
        }
        assertTrue(numDecoded > 0 && numDecoded < 3000, "decoded " + numDecoded);
    }

    @Test
    void decoderSurvivesJavaSerializationAsFlinkShipsIt() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(decoder);
        }
        RequestDecoder copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (RequestDecoder) in.readObject();
        }
        assertEquals(Fixtures.textRequest("s"), copy.decode(codec.encodeConfluent(Fixtures.textRequest("s"))).value());
        assertEquals(Fixtures.textRequest("s"), copy.decode(codec.encodeSingleObject(Fixtures.textRequest("s"))).value());
    }

    @Test
    void deadLetterKeepsTheOriginalBytesAndReason() {
        byte[] value = utf8("{\"id\":\"d1\",\"prompt\":\"x\",\"maxTokens\":-3}");
        DecodeFailure failure = failure(value);
        DeadLetter letter = DeadLetters.of(failure, null, value, Fixtures.source(), 1, Fixtures.CREATED);
        assertEquals(DeadLetterReason.INVALID_MAX_TOKENS, letter.getReason());
        assertEquals("d1", letter.getRecordId());
        assertEquals(java.nio.ByteBuffer.wrap(value), letter.getRawValue());
        assertEquals("prompts", letter.getSource().getTopic());
    }

    // ---- helpers

    private static void flip(byte[] bytes, Random random, int from) {
        for (int k = 0; k < 3; k++) {
            int at = from + random.nextInt(bytes.length - from);
            bytes[at] = (byte) random.nextInt(256);
        }
    }

    private static InferenceRequest.Builder with(InferenceRequest base) {
        return InferenceRequest.newBuilder(base);
    }

    private static InferenceRequest.Builder sampling(InferenceRequest base,
                                                     java.util.function.Consumer<SamplingParams.Builder> edit) {
        SamplingParams.Builder s = SamplingParams.newBuilder(base.getSampling());
        edit.accept(s);
        return with(base).setSampling(s.build());
    }

    /** The invalid request must fail with {@code reason} in every wire format, naming the id and the field. */
    private void check(DeadLetterReason reason, InferenceRequest.Builder request, String messagePart) {
        InferenceRequest r = request.build();
        for (WireFormat format : WireFormat.values()) {
            DecodeFailure failure = failure(codec.encode(r, format));
            assertEquals(reason, failure.reason(), format + ": " + failure.message());
            assertTrue(failure.message().contains(messagePart), format + ": " + failure.message());
            if (!r.getId().isBlank()) {
                assertTrue(failure.message().contains("request '" + r.getId() + "'"), failure.message());
                assertEquals(Optional.of(r.getId()), failure.recordId());
            }
        }
    }

    private void expect(DeadLetterReason reason, byte[] value, String messagePart) {
        DecodeFailure failure = failure(value);
        assertEquals(reason, failure.reason(), failure.message());
        assertTrue(failure.message().contains(messagePart), failure.message());
    }

    private DecodeFailure failure(byte[] value) {
        DecodeResult<InferenceRequest> result = decoder.decode(value);
        assertTrue(result instanceof DecodeResult.Failed, () -> "expected a failure, decoded " + result);
        return ((DecodeResult.Failed<InferenceRequest>) result).failure();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
