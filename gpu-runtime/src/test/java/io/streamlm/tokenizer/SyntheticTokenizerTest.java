package io.streamlm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.streamlm.engine.ChatMessage;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SyntheticTokenizerTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {261, 1024, 4096})
    void vocabularyCoversExactlyTheRequestedIds(int vocabSize) throws Exception {
        SyntheticTokenizer.write(vocabSize, dir);
        assertExactCoverage(vocabSize);
        assertEquals(vocabSize, Tokenizer.load(dir).vocabSize());
    }

    /** The make-model presets' size: exact coverage, and the Rust library agrees with every encoding. */
    @Test
    void qwenSizedVocabularyIsExactAndEncodesAsTheRustLibrary() throws Exception {
        SyntheticTokenizer.write(248_320, dir);
        Tokenizer tokenizer = Tokenizer.load(dir);
        assertEquals(248_320, tokenizer.vocabSize());
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            tokenizer.decode(new int[] {id}); // throws for an id no token has: the ids have no holes
        }
        encodesAsTheRustLibraryAndRoundTrips(tokenizer);
    }

    @Test
    void smallVocabularyEncodesAsTheRustLibrary() throws Exception {
        SyntheticTokenizer.write(1024, dir);
        encodesAsTheRustLibraryAndRoundTrips(Tokenizer.load(dir));
    }

    private void assertExactCoverage(int vocabSize) throws Exception {
        RawJson json = RawJson.read(dir.resolve("tokenizer.json"));
        Set<Integer> ids = new HashSet<>(json.vocab().values());
        assertEquals(json.vocab().size(), ids.size(), "duplicate ids in model.vocab");
        json.rest().path("added_tokens").forEach(t -> assertTrue(ids.add(t.path("id").asInt()), "duplicate id " + t));
        assertEquals(vocabSize, ids.size());
        assertEquals(0, ids.stream().mapToInt(Integer::intValue).min().orElseThrow());
        assertEquals(vocabSize - 1, ids.stream().mapToInt(Integer::intValue).max().orElseThrow());
        assertEquals(vocabSize - 256 - SyntheticTokenizer.SPECIAL_TOKENS.size(), json.merges().size());
    }

    private void encodesAsTheRustLibraryAndRoundTrips(Tokenizer tokenizer) throws Exception {
        try (HuggingFaceTokenizer oracle = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"),
                Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false"))) {
            for (String s : HardStrings.corpus()) {
                int[] expected = Arrays.stream(oracle.encode(s, false, false).getIds()).mapToInt(v -> (int) v).toArray();
                int[] ids = tokenizer.encode(s);
                assertArrayEquals(expected, ids, () -> "ids of " + QwenTokenizerTest.quote(s));
                assertEquals(Normalizer.normalize(BpeTokenizer.replaceLoneSurrogates(s), Normalizer.Form.NFC), tokenizer.decode(ids));
            }
        }
    }

    @Test
    void mergesCompressEnglish() {
        SyntheticTokenizer.write(4096, dir);
        Tokenizer tokenizer = Tokenizer.load(dir);
        String text = "The model answers the question and the server streams the text to the user.";
        int numTokens = tokenizer.encode(text).length;
        assertTrue(numTokens < text.length() / 2, "expected learned merges to give < " + text.length() / 2 + " tokens, got " + numTokens);
    }

    @Test
    void specialTokensSitAtTheTopAndEndGeneration() {
        SyntheticTokenizer.write(1000, dir);
        Tokenizer tokenizer = Tokenizer.load(dir);
        assertArrayEquals(new int[] {995, 996, 997, 998, 999},
                tokenizer.encode("<|endoftext|><|im_start|><|im_end|><think></think>"));
        assertEquals(List.of(997, 995), tokenizer.eosTokenIds());
    }

    @Test
    void chatTemplateIsTheQwen35Format() {
        SyntheticTokenizer.write(1024, dir);
        String prompt = Tokenizer.load(dir).renderChat(List.of(new ChatMessage("system", "Be brief."),
                new ChatMessage("user", "Hi")), true);
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n", prompt);
    }

    @Test
    void rejectsAVocabularyTooSmallForTheBytes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SyntheticTokenizer.write(100, dir));
        assertTrue(e.getMessage().contains("at least 261"), e.getMessage());
    }
}
