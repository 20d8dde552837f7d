package io.streamlm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pure-Java tokenizer on the real Qwen3 tokenizer.json, against the Rust Hugging Face tokenizers library
 * (through DJL) as the independent oracle, on a corpus of hard strings.
 */
class QwenTokenizerTest {
    private static Tokenizer tokenizer;
    private static HuggingFaceTokenizer oracle;

    @BeforeAll
    static void load() throws Exception {
        tokenizer = QwenTokenizerFixture.tokenizer();
        oracle = HuggingFaceTokenizer.newInstance(QwenTokenizerFixture.modelDir().resolve("tokenizer.json"),
                Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false"));
    }

    @AfterAll
    static void close() {
        oracle.close();
    }

    @Test
    void encodesEveryHardStringExactlyAsTheRustLibrary() {
        for (String s : HardStrings.corpus()) {
            long[] expected = oracle.encode(s, false, false).getIds();
            int[] actual = tokenizer.encode(s);
            assertArrayEquals(Arrays.stream(expected).mapToInt(v -> (int) v).toArray(), actual, () -> "ids of " + quote(s));
        }
    }

    @Test
    void decodeInvertsEncodeUpToNfc() {
        for (String s : HardStrings.corpus()) {
            // the normalizer is part of encoding; lone surrogates cannot be UTF-8 and become U+FFFD
            String nfc = Normalizer.normalize(BpeTokenizer.replaceLoneSurrogates(s), Normalizer.Form.NFC);
            assertEquals(nfc, tokenizer.decode(tokenizer.encode(s)), () -> "round trip of " + quote(s));
        }
    }

    @Test
    void decodesExactlyAsTheRustLibrary() {
        for (String s : HardStrings.corpus()) {
            long[] ids = oracle.encode(s, false, false).getIds();
            assertEquals(oracle.decode(ids, false), tokenizer.decode(Arrays.stream(ids).mapToInt(v -> (int) v).toArray()),
                    () -> "decode of " + quote(s));
        }
    }

    @Test
    void loneSurrogatesEncodeAsReplacementCharacters() {
        for (String s : HardStrings.loneSurrogates()) {
            String replaced = BpeTokenizer.replaceLoneSurrogates(s);
            assertEquals(s.length(), replaced.length());
            assertTrue(replaced.chars().noneMatch(c -> Character.isSurrogate((char) c)), () -> quote(replaced));
            long[] expected = oracle.encode(replaced, false, false).getIds();
            assertArrayEquals(Arrays.stream(expected).mapToInt(v -> (int) v).toArray(), tokenizer.encode(s), () -> quote(s));
            assertEquals(replaced, tokenizer.decode(tokenizer.encode(s)));
        }
    }

    @Test
    void longTextIsNotTruncated() {
        String text = HardStrings.longText();
        int[] ids = tokenizer.encode(text);
        assertTrue(ids.length > 2000, "10k chars should give thousands of tokens, got " + ids.length);
        assertEquals(text, tokenizer.decode(ids));
    }

    static String quote(String s) {
        return "'" + (s.length() > 80 ? s.substring(0, 80) + "...'" : s + "'");
    }
}
