package io.streamlm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StreamDecoderTest {
    private static Tokenizer qwen3;

    @BeforeAll
    static void load() {
        qwen3 = QwenTokenizerFixture.tokenizer();
    }

    @Test
    void streamsEveryHardStringWithoutSplittingACharacter() {
        for (String s : HardStrings.corpus()) {
            StreamDecoder decoder = qwen3.newStreamDecoder();
            StringBuilder sb = new StringBuilder();
            for (int id : qwen3.encode(s)) {
                String delta = decoder.feed(id);
                assertWholeCharacters(delta, s);
                sb.append(delta);
            }
            sb.append(decoder.flush());
            assertEquals(Normalizer.normalize(BpeTokenizer.replaceLoneSurrogates(s), Normalizer.Form.NFC), sb.toString(), () -> QwenTokenizerTest.quote(s));
        }
    }

    @Test
    void holdsBackTokensThatCarryPartOfACharacter() {
        // byte-level tokens: each of these ids stands for one byte of an emoji / a CJK character
        String emoji = "🎉"; // F0 9F 8E 89
        String cjk = "語";   // E8 AA 9E
        List<Integer> ids = byteTokenIds(emoji + cjk);
        StreamDecoder decoder = qwen3.newStreamDecoder();
        List<String> deltas = new ArrayList<>();
        ids.forEach(id -> deltas.add(decoder.feed(id)));
        assertEquals(List.of("", "", "", emoji, "", "", cjk), deltas);
        assertEquals("", decoder.flush());
    }

    @Test
    void flushTurnsAnUnfinishedCharacterIntoReplacement() {
        List<Integer> ids = byteTokenIds("🎉");
        StreamDecoder decoder = qwen3.newStreamDecoder();
        assertEquals("a", decoder.feed(qwen3.encode("a")[0]));
        assertEquals("", decoder.feed(ids.get(0)));
        assertEquals("", decoder.feed(ids.get(1)));
        assertEquals("\ufffd", decoder.flush());
    }

    @Test
    void invalidBytesAreReleasedAsReplacementLikeDecode() {
        // a lone continuation byte then ASCII: can never complete, so it must not be held forever
        int continuation = qwen3.tokenId(String.valueOf(ByteLevel.charOf(0x9F))).orElseThrow();
        int letter = qwen3.encode("x")[0];
        StreamDecoder decoder = qwen3.newStreamDecoder();
        String streamed = decoder.feed(continuation) + decoder.feed(letter) + decoder.flush();
        assertEquals(qwen3.decode(new int[] {continuation, letter}), streamed);
        assertEquals("\ufffdx", streamed);
    }

    @Test
    void rejectsIdsOutsideTheVocabulary() {
        StreamDecoder decoder = qwen3.newStreamDecoder();
        assertThrows(IllegalArgumentException.class, () -> decoder.feed(qwen3.vocabSize()));
        assertThrows(IllegalArgumentException.class, () -> decoder.feed(-1));
    }

    private static List<Integer> byteTokenIds(String s) {
        List<Integer> ids = new ArrayList<>();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            ids.add(qwen3.tokenId(String.valueOf(ByteLevel.charOf(b & 0xFF))).orElseThrow());
        }
        return ids;
    }

    private static void assertWholeCharacters(String delta, String source) {
        if (delta.isEmpty()) {
            return;
        }
        assertFalse(Character.isLowSurrogate(delta.charAt(0)), () -> "delta starts mid-pair in " + QwenTokenizerTest.quote(source));
        assertFalse(Character.isHighSurrogate(delta.charAt(delta.length() - 1)), () -> "delta ends mid-pair in " + QwenTokenizerTest.quote(source));
        assertTrue(delta.indexOf('\ufffd') < 0 || BpeTokenizer.replaceLoneSurrogates(source).indexOf('\ufffd') >= 0, () -> "replacement char in " + QwenTokenizerTest.quote(source));
    }
}
