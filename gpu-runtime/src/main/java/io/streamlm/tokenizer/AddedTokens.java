package io.streamlm.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Added and special tokens of a tokenizer.json, found in text before normalisation and BPE: at each position
 * the leftmost match wins and among matches there the longest (as the HF library's leftmost-longest
 * automaton). lstrip / rstrip swallow adjacent whitespace into the match; single_word requires word
 * boundaries.
 */
final class AddedTokens {
    /** One entry of tokenizer.json's added_tokens. */
    record Entry(int id, String content, boolean special, boolean normalized, boolean lstrip, boolean rstrip,
                 boolean singleWord) {}

    /** A stretch of text: either plain text to normalise and BPE, or one added token. */
    record Segment(String text, int tokenId, boolean isToken) {
        static Segment plain(String text) {
            return new Segment(text, 0, false);
        }
    }

    /** first char -> entries starting with it, longest first. */
    private final Map<Character, List<Entry>> byFirstChar = new HashMap<>();

    AddedTokens(List<Entry> entries) {
        for (Entry e : entries) {
            if (!e.content().isEmpty()) {
                byFirstChar.computeIfAbsent(e.content().charAt(0), c -> new ArrayList<>()).add(e);
            }
        }
        byFirstChar.values().forEach(l -> l.sort(Comparator.comparingInt((Entry e) -> e.content().length()).reversed()));
    }

    boolean isEmpty() {
        return byFirstChar.isEmpty();
    }

    /** Splits {@code text} into plain stretches and added tokens, appending to {@code out}. */
    void split(String text, List<Segment> out) {
        if (byFirstChar.isEmpty()) {
            out.add(Segment.plain(text));
            return;
        }
        int plainStart = 0;
        int i = 0;
        while (i < text.length()) {
            Entry match = matchAt(text, i);
            if (match == null) {
                i++;
                continue;
            }
            int start = i;
            int end = i + match.content().length();
            if (match.lstrip()) {
                while (start > plainStart && Character.isWhitespace(text.charAt(start - 1))) {
                    start--;
                }
            }
            if (match.rstrip()) {
                while (end < text.length() && Character.isWhitespace(text.charAt(end))) {
                    end++;
                }
            }
            if (start > plainStart) {
                out.add(Segment.plain(text.substring(plainStart, start)));
            }
            out.add(new Segment(match.content(), match.id(), true));
            plainStart = end;
            i = end;
        }
        if (plainStart < text.length()) {
            out.add(Segment.plain(text.substring(plainStart)));
        }
    }

    private Entry matchAt(String text, int pos) {
        List<Entry> candidates = byFirstChar.get(text.charAt(pos));
        if (candidates == null) {
            return null;
        }
        for (Entry e : candidates) {
            if (text.startsWith(e.content(), pos) && (!e.singleWord() || isWordBounded(text, pos, e.content().length()))) {
                return e;
            }
        }
        return null;
    }

    private static boolean isWordBounded(String text, int start, int length) {
        int end = start + length;
        boolean before = start == 0 || !Character.isLetterOrDigit(text.codePointBefore(start));
        boolean after = end == text.length() || !Character.isLetterOrDigit(text.codePointAt(end));
        return before && after;
    }
}
