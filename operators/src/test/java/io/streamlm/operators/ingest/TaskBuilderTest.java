package io.streamlm.operators.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamlm.engine.ChatMessage;
import io.streamlm.operators.enrichment.PromptTemplate;
import io.streamlm.operators.enrichment.TemplateRegistry;
import io.streamlm.operators.inference.InferenceTask;
import io.streamlm.schemas.DeadLetterReason;
import io.streamlm.schemas.InferenceRequest;
import io.streamlm.schemas.SamplingParams;
import io.streamlm.schemas.TemplatePrompt;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskBuilderTest {
    /** One token per byte; ids 256.. are special; context of 64 tokens. */
    static final class ByteTokenizer implements PromptTokenizer {
        @Override
        public void open() {}

        @Override
        public int[] encode(String text) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            int[] ids = new int[b.length];
            for (int i = 0; i < b.length; i++) {
                ids[i] = b[i] & 0xff;
            }
            return ids;
        }

        @Override
        public String renderChat(List<ChatMessage> messages) {
            StringBuilder sb = new StringBuilder();
            messages.forEach(m -> sb.append(m.role()).append(':').append(m.content()).append('\n'));
            return sb.append("assistant:").toString();
        }

        @Override
        public int vocabSize() {
            return 258;
        }

        @Override
        public int[] eosTokenIds() {
            return new int[] {257};
        }

        @Override
        public int contextLength() {
            return 64;
        }
    }

    private final TaskBuilder builder = new TaskBuilder(
            new TemplateRegistry(List.of(new PromptTemplate("t1", "Rules. Ticket: {{ticket}}!"))), new ByteTokenizer());

    private static InferenceRequest.Builder request(String id) {
        return InferenceRequest.newBuilder().setId(id).setTenant("acme").setMaxTokens(4)
                .setSampling(SamplingParams.newBuilder().build());
    }

    @Test
    void templateRequestsDeclareTheFixedPartAsSharedPrefixAndShareARouteKey() throws Exception {
        InferenceTask a = builder.build(request("a").setTemplate(TemplatePrompt.newBuilder().setTemplateId("t1")
                .setVariables(Map.of("ticket", "x")).build()).setMetadata(Map.of("k", "v")).build(), 5);
        InferenceTask b = builder.build(request("b").setTemplate(TemplatePrompt.newBuilder().setTemplateId("t1")
                .setVariables(Map.of("ticket", "yy")).build()).build(), 6);
        assertEquals("Rules. Ticket: ".length(), a.sharedPrefixTokens);
        assertEquals("Rules. Ticket: x!".length(), a.promptTokens.length);
        assertEquals(a.routeKey(), b.routeKey(), "same tenant + template = same route");
        assertEquals("t1", a.templateId);
        assertEquals(Map.of("k", "v"), a.metadata());
        assertEquals(5, a.ingestMillis);
        assertArrayEquals(new int[] {257}, a.stopTokenIds, "text prompts stop at end of sequence");
    }

    @Test
    void seedIsTheRequestsOrDerivedFromItsId() throws Exception {
        InferenceTask given = builder.build(request("a").setPrompt("hi")
                .setSampling(SamplingParams.newBuilder().setSeed(99L).build()).build(), 0);
        assertEquals(99, given.seed);
        InferenceTask derived1 = builder.build(request("a").setPrompt("hi").build(), 0);
        InferenceTask derived2 = builder.build(request("a").setPrompt("other").build(), 1);
        InferenceTask otherId = builder.build(request("b").setPrompt("hi").build(), 0);
        assertEquals(derived1.seed, derived2.seed, "a replay of the same id gets the same seed");
        assertNotEquals(derived1.seed, otherId.seed);
    }

    @Test
    void modelChecksAreTyped() {
        var tooLong = assertThrows(TaskBuilder.Invalid.class, () -> builder.build(request("long").setPrompt("x".repeat(64)).build(), 0));
        assertEquals(DeadLetterReason.PROMPT_TOO_LONG, tooLong.failure.reason());
        var unknown = assertThrows(TaskBuilder.Invalid.class, () -> builder.build(request("u").setTemplate(
                TemplatePrompt.newBuilder().setTemplateId("nope").build()).build(), 0));
        assertEquals(DeadLetterReason.UNKNOWN_TEMPLATE, unknown.failure.reason());
        var missing = assertThrows(TaskBuilder.Invalid.class, () -> builder.build(request("m").setTemplate(
                TemplatePrompt.newBuilder().setTemplateId("t1").build()).build(), 0));
        assertEquals(DeadLetterReason.MISSING_TEMPLATE_VARIABLE, missing.failure.reason());
        var vocab = assertThrows(TaskBuilder.Invalid.class, () -> builder.build(request("v").setPromptTokenIds(List.of(1, 999)).build(), 0));
        assertEquals(DeadLetterReason.INVALID_FIELD, vocab.failure.reason());
    }

    @Test
    void tokenPromptsAreRawAndChatIsRendered() throws Exception {
        InferenceTask tokens = builder.build(request("t").setPromptTokenIds(List.of(1, 2, 3)).setSharedPrefixTokens(2).build(), 0);
        assertArrayEquals(new int[] {1, 2, 3}, tokens.promptTokens);
        assertEquals(2, tokens.sharedPrefixTokens);
        assertEquals(0, tokens.stopTokenIds.length, "token-id prompts stop only where they say");
        InferenceTask chat = builder.build(request("c").setMessages(List.of(new io.streamlm.schemas.ChatMessage("user", "yo"))).build(), 0);
        assertEquals("user:yo\nassistant:".length(), chat.promptTokens.length);
    }
}
