package io.streamlm.tokenizer;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Finds stop strings in streamed text. {@link #feed} takes each text delta and returns the text that is safe
 * to emit: it holds back a tail that could still become a stop string, and when a stop string completes it
 * returns the text before it (the stop string excluded) and reports which one. The stop that completes first
 * in the text wins (ties: the one starting earlier), so the result does not depend on how the text was cut
 * into deltas. Not thread-safe: one per stream.
 */
public final class StopStringMatcher {
    /** What one {@link #feed} produced: text to emit, and the stop string if one completed. */
    public record Step(String text, Optional<String> stopString) {
        public boolean stopped() {
            return stopString.isPresent();
        }
    }

    private final List<String> stopStrings;
    private String held = "";
    private boolean stopped;

    public StopStringMatcher(Collection<String> stopStrings) {
        for (String s : stopStrings) {
            if (s == null || s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must be non-empty, got " + stopStrings);
            }
        }
        this.stopStrings = List.copyOf(stopStrings);
    }

    /** Adds a text delta. After a stop was reported, further feeds are an error. */
    public Step feed(String delta) {
        if (stopped) {
            throw new IllegalStateException("stop string already reached; the stream has ended");
        }
        String text = held + delta;
        int bestStart = -1;
        int bestEnd = Integer.MAX_VALUE;
        String best = null;
        for (String s : stopStrings) {
            int at = text.indexOf(s);
            if (at >= 0 && (at + s.length() < bestEnd || (at + s.length() == bestEnd && at < bestStart))) {
                bestStart = at;
                bestEnd = at + s.length();
                best = s;
            }
        }
        if (best != null) {
            stopped = true;
            held = "";
            return new Step(text.substring(0, bestStart), Optional.of(best));
        }
        int keep = safeBoundary(text, text.length() - longestPendingSuffix(text));
        held = text.substring(keep);
        return new Step(text.substring(0, keep), Optional.empty());
    }

    /** Ends the stream without a stop: returns the held-back text. */
    public String flush() {
        String out = held;
        held = "";
        return out;
    }

    public boolean stopped() {
        return stopped;
    }

    /** Length of the longest suffix of text that is a proper prefix of some stop string. */
    private int longestPendingSuffix(String text) {
        int longest = 0;
        for (String s : stopStrings) {
            for (int len = Math.min(s.length() - 1, text.length()); len > longest; len--) {
                if (text.regionMatches(text.length() - len, s, 0, len)) {
                    longest = len;
                    break;
                }
            }
        }
        return longest;
    }

    /** Moves a cut point back so it never separates a surrogate pair. */
    private static int safeBoundary(String text, int cut) {
        if (cut > 0 && cut < text.length() && Character.isHighSurrogate(text.charAt(cut - 1))
                && Character.isLowSurrogate(text.charAt(cut))) {
            return cut - 1;
        }
        return cut;
    }
}
