package io.streamlm.engine;

import java.util.List;

/**
 * Finds stop strings in a stream of text deltas. Text that could still be the start of a stop string is
 * held back, so emitted text never contains (part of) a stop string that later completes.
 */
final class StopScanner {
    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    StopScanner(List<String> stops) {
        this.stops = List.copyOf(stops);
    }

    boolean stopped() {
        return stopped;
    }

    /** Feeds a delta; returns the text now safe to emit (everything before a stop string once one is found). */
    String feed(String delta) {
        if (stopped) {
            return "";
        }
        held.append(delta);
        int first = -1;
        for (String s : stops) {
            int i = held.indexOf(s);
            if (i >= 0 && (first < 0 || i < first)) {
                first = i;
            }
        }
        if (first >= 0) {
            stopped = true;
            String out = held.substring(0, first);
            held.setLength(0);
            return out;
        }
        int keep = longestStopPrefixSuffix();
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return out;
    }

    /** The held-back text, at the end of the stream. */
    String flush() {
        String out = stopped ? "" : held.toString();
        held.setLength(0);
        return out;
    }

    private int longestStopPrefixSuffix() {
        int best = 0;
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, held.length()); k > best; k--) {
                if (held.toString().regionMatches(held.length() - k, s, 0, k)) {
                    best = k;
                    break;
                }
            }
        }
        return best;
    }
}
