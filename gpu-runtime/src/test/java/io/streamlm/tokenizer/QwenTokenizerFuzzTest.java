package io.streamlm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random strings built from pieces that stress the split regex (case-folded contractions, Unicode digits and
 * spaces, marks, emoji, CJK, newlines, special tokens) against the Rust HF library; fixed seed, so a failure
 * reproduces.
 */
class QwenTokenizerFuzzTest {
    private static final String[] PIECES = {
        "a", "Z", "word", " the", "'s", "'S", "'ll", "'LL", "'ſ", "ſ", "'K", "\u212a", "İ", "ı", "ß", "ǅ",
        "0", "7", "٣", "४", "Ⅻ", "½", "²", " ", "  ", "\t", "\n", "\r\n", "\r", "\u000b", "\u000c", "\u0085",
        "\u00a0", "\u1680", "\u2000", "\u2028", "\u2029", "\u202f", "\u3000", "\u200b", "\u200d", "\ufeff",
        "\u0301", "\u0308", "\u093f", "\u0e31", "é", "ñ", "한", "\u1100\u1161", "中", "文", "ア", "ｱ", "！", "，",
        "🎉", "👍🏽", "👨‍👩‍👧", "🇫🇷", "❤️", "#️⃣", "𝔘", "𠀀", ".", ",", "...", "-", "_", "/", "\\", "\"", "'", "`",
        "(", ")", "{", "}", "[", "]", "<", ">", "|", "=", "==", "->", "::", "$", "%", "@", "#", "~", "^", "*",
        "<|im_start|>", "<|im_end|>", "<|endoftext|>", "<think>", "</think>", "<|im_st", "|>",
    };

    @TempDir
    Path syntheticDir;

    @Test
    void randomStringsEncodeAsTheRustLibraryWithQwen3() throws Exception {
        check(QwenTokenizerFixture.modelDir(), QwenTokenizerFixture.tokenizer());
    }

    /** The synthetic tokenizer carries Qwen3.5's split regex (combining marks inside words). */
    @Test
    void randomStringsEncodeAsTheRustLibraryWithTheSyntheticQwen35Split() throws Exception {
        SyntheticTokenizer.write(4096, syntheticDir);
        check(syntheticDir, Tokenizer.load(syntheticDir));
    }

    private static void check(Path dir, Tokenizer tokenizer) throws Exception {
        Random random = new Random(20261129);
        try (HuggingFaceTokenizer oracle = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"),
                Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false"))) {
            for (int n = 0; n < 600; n++) {
                StringBuilder sb = new StringBuilder();
                int numPieces = 1 + random.nextInt(24);
                for (int i = 0; i < numPieces; i++) {
                    sb.append(PIECES[random.nextInt(PIECES.length)]);
                }
                String s = sb.toString();
                int[] expected = Arrays.stream(oracle.encode(s, false, false).getIds()).mapToInt(v -> (int) v).toArray();
                int[] ids = tokenizer.encode(s);
                assertArrayEquals(expected, ids, () -> "ids of " + escape(s));
                assertEquals(Normalizer.normalize(s, Normalizer.Form.NFC), tokenizer.decode(ids), () -> "round trip of " + escape(s));
            }
        }
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(cp -> sb.append(cp >= 0x20 && cp < 0x7f ? String.valueOf((char) cp) : String.format("\\u{%x}", cp)));
        return sb.append('"').toString();
    }
}
