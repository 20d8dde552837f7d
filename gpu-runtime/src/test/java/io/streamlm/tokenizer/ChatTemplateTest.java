package io.streamlm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlm.engine.ChatMessage;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * renderChat against prompts that python jinja2 rendered from the real templates (Qwen3.5/3.6 and the npm
 * package's Qwen3), stored in chat-template-expected.json; the expected text does not come from this code.
 */
class ChatTemplateTest {

    @Test
    void rendersExactlyAsTheJinjaTemplates() throws Exception {
        JsonNode fixture;
        try (InputStream in = getClass().getResourceAsStream("chat-template-expected.json")) {
            fixture = new ObjectMapper().readTree(in);
        }
        int numChecked = 0;
        for (JsonNode c : fixture.path("cases")) {
            List<ChatMessage> messages = new ArrayList<>();
            c.path("messages").forEach(m -> messages.add(new ChatMessage(m.path("role").asText(), m.path("content").asText())));
            boolean gen = c.path("add_generation_prompt").asBoolean();
            String name = c.path("name").asText() + "/" + gen;
            check(ChatTemplate.Flavor.QWEN3_5, c.path("qwen3_5"), messages, gen, name);
            check(ChatTemplate.Flavor.QWEN3, c.path("qwen3"), messages, gen, name);
            numChecked++;
        }
        assertEquals(18, numChecked);
    }

    private static void check(ChatTemplate.Flavor flavor, JsonNode expected, List<ChatMessage> messages, boolean gen, String name) {
        if (expected.isNull()) {
            assertThrows(IllegalArgumentException.class, () -> ChatTemplate.render(flavor, messages, gen), flavor + " " + name);
        } else {
            assertEquals(expected.asText(), ChatTemplate.render(flavor, messages, gen), flavor + " " + name);
        }
    }

    @Test
    void detectsTheFlavorFromTheTemplateText() throws Exception {
        assertEquals(Optional.of(ChatTemplate.Flavor.QWEN3_5),
                ChatTemplate.detect(SyntheticTokenizer.readResource("qwen35-chat-template.jinja")));
        assertEquals(Optional.of(ChatTemplate.Flavor.QWEN3_5), ChatTemplate.detect(null));
        assertEquals(Optional.empty(), ChatTemplate.detect("{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}"));
    }

    @Test
    void realQwen3TokenizerUsesItsOwnTemplateAndEos() {
        Tokenizer qwen3 = QwenTokenizerFixture.tokenizer();
        assertEquals("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
                qwen3.renderChat(List.of(new ChatMessage("user", "Hi")), true));
        // tokenizer_config.json: eos_token <|im_end|> (151645); <|endoftext|> (151643) also ends a chat
        assertEquals(List.of(151645, 151643), qwen3.eosTokenIds());
    }
}
