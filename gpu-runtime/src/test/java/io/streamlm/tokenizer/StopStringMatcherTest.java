package io.streamlm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StopStringMatcherTest {

    @Test
    void stopStringSpanningSeveralDeltas() {
        StopStringMatcher m = new StopStringMatcher(List.of("<END>"));
        assertEquals(new StopStringMatcher.Step("hello ", Optional.empty()), m.feed("hello <"));
        assertEquals(new StopStringMatcher.Step("", Optional.empty()), m.feed("EN"));
        StopStringMatcher.Step last = m.feed("D> ignored");
        assertEquals("", last.text());
        assertEquals(Optional.of("<END>"), last.stopString());
        assertTrue(m.stopped());
        assertThrows(IllegalStateException.class, () -> m.feed("more"));
    }

    @Test
    void releasesTheTailWhenItStopsMatching() {
        StopStringMatcher m = new StopStringMatcher(List.of("stop"));
        assertEquals("a ", m.feed("a st").text());
        assertEquals("step", m.feed("ep").text());
        assertEquals("", m.feed("s").text());
        assertEquals("s", m.flush());
        assertFalse(m.stopped());
    }

    @Test
    void textBeforeTheStopInTheSameDeltaIsEmitted() {
        StopStringMatcher m = new StopStringMatcher(List.of("\n\n"));
        StopStringMatcher.Step s = m.feed("line one\n\nline two");
        assertEquals("line one", s.text());
        assertTrue(s.stopped());
    }

    @Test
    void overlappingCandidatesTheFirstToCompleteWins() {
        // "abcd" completes at index 4, "bc" at index 3: "bc" wins however the text is cut
        for (List<String> deltas : List.of(List.of("abcd"), List.of("a", "b", "c", "d"), List.of("ab", "cd"))) {
            StopStringMatcher m = new StopStringMatcher(List.of("abcd", "bc"));
            StringBuilder out = new StringBuilder();
            Optional<String> stop = Optional.empty();
            for (String d : deltas) {
                StopStringMatcher.Step s = m.feed(d);
                out.append(s.text());
                if (s.stopped()) {
                    stop = s.stopString();
                    break;
                }
            }
            assertEquals("a", out.toString(), deltas.toString());
            assertEquals(Optional.of("bc"), stop, deltas.toString());
        }
    }

    @Test
    void sameEndPrefersTheLongerStop() {
        StopStringMatcher m = new StopStringMatcher(List.of("c", "abc"));
        StopStringMatcher.Step s = m.feed("xxabc");
        assertEquals("xx", s.text());
        assertEquals(Optional.of("abc"), s.stopString());
    }

    @Test
    void holdsBackTheLongestPossiblePrefix() {
        StopStringMatcher m = new StopStringMatcher(List.of("aab"));
        assertEquals("", m.feed("a").text());
        assertEquals("", m.feed("a").text());
        assertEquals("a", m.feed("a").text()); // "aaa": only the last "aa" can still start "aab"
        StopStringMatcher.Step s = m.feed("b");
        assertEquals("", s.text());
        assertTrue(s.stopped());
    }

    @Test
    void multiByteStopStrings() {
        StopStringMatcher m = new StopStringMatcher(List.of("🎉终了"));
        assertEquals("好的", m.feed("好的🎉").text());
        assertEquals("", m.feed("终").text());
        StopStringMatcher.Step s = m.feed("了！");
        assertEquals("", s.text());
        assertEquals(Optional.of("🎉终了"), s.stopString());

        StopStringMatcher other = new StopStringMatcher(List.of("🎉x"));
        StopStringMatcher.Step held = other.feed("a🎉");
        assertEquals("a", held.text()); // both halves of the emoji are held together
        assertEquals("🎉y", other.feed("y").text());
    }

    @Test
    void noStopStringsPassesEverythingThrough() {
        StopStringMatcher m = new StopStringMatcher(List.of());
        assertEquals("anything", m.feed("anything").text());
        assertEquals("", m.flush());
    }

    @Test
    void rejectsEmptyStopStrings() {
        assertThrows(IllegalArgumentException.class, () -> new StopStringMatcher(List.of("")));
    }
}
