package io.streamlm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlm.engine.ChatMessage;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad tokenizer files get errors that name the file and what was wrong. */
class TokenizerErrorsTest {
    @TempDir
    Path dir;
    private String json;

    @BeforeEach
    void writeValidTokenizer() throws Exception {
        SyntheticTokenizer.write(300, dir);
        json = Files.readString(dir.resolve("tokenizer.json"));
    }

    @Test
    void missingTokenizerJson() throws Exception {
        Files.delete(dir.resolve("tokenizer.json"));
        assertMessage(IllegalArgumentException.class, "no tokenizer.json in " + dir);
    }

    @Test
    void malformedJson() throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), json.substring(0, json.length() / 2));
        assertMessage(UncheckedIOException.class, "cannot read tokenizer from " + dir);
    }

    @Test
    void unsupportedModelType() throws Exception {
        rewrite("\"type\":\"BPE\"", "\"type\":\"Unigram\"");
        assertMessage(IllegalArgumentException.class, "model.type is 'Unigram'");
    }

    @Test
    void mergeWithUnknownToken() throws Exception {
        rewrite("\"merges\":[", "\"merges\":[[\"\u2603\",\"x\"],");
        assertMessage(IllegalArgumentException.class, "merges[0]");
    }

    @Test
    void unsupportedPreTokenizer() throws Exception {
        rewrite("\"type\":\"Split\"", "\"type\":\"Whitespace\"");
        assertMessage(IllegalArgumentException.class, "unsupported pre_tokenizer type 'Whitespace'");
    }

    @Test
    void eosTokenMissingFromTheVocabulary() throws Exception {
        Path config = dir.resolve("tokenizer_config.json");
        Files.writeString(config, Files.readString(config).replace("\"eos_token\" : \"<|im_end|>\"", "\"eos_token\" : \"</s>\""));
        assertMessage(IllegalArgumentException.class, "eos_token '</s>' is not a token");
    }

    @Test
    void noConfigMeansQwen35ChatAndChatEndTokens() throws Exception {
        Files.delete(dir.resolve("tokenizer_config.json"));
        Tokenizer t = Tokenizer.load(dir);
        assertEquals(List.of(297, 295), t.eosTokenIds());
        assertTrue(t.renderChat(List.of(new ChatMessage("user", "x")), true).endsWith("<think>\n"));
    }

    @Test
    void nonChatMlTemplateFailsOnRenderNotOnLoad() throws Exception {
        Path config = dir.resolve("tokenizer_config.json");
        String text = Files.readString(config);
        int start = text.indexOf("\"chat_template\" : \"") + "\"chat_template\" : \"".length();
        int end = text.indexOf("\",\n", start);
        Files.writeString(config, text.substring(0, start) + "{{ messages[0].content }}" + text.substring(end));
        Tokenizer t = Tokenizer.load(dir);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> t.renderChat(List.of(new ChatMessage("user", "x")), true));
        assertTrue(e.getMessage().contains("not a Qwen ChatML template"), e.getMessage());
    }

    private void rewrite(String from, String to) throws Exception {
        assertTrue(json.contains(from), "fixture lacks " + from);
        Files.writeString(dir.resolve("tokenizer.json"), json.replaceFirst(java.util.regex.Pattern.quote(from),
                java.util.regex.Matcher.quoteReplacement(to)));
    }

    private void assertMessage(Class<? extends RuntimeException> type, String fragment) {
        RuntimeException e = assertThrows(type, () -> Tokenizer.load(dir));
        assertTrue(e.getMessage().contains(fragment), () -> "expected '" + fragment + "' in: " + e.getMessage());
    }
}
