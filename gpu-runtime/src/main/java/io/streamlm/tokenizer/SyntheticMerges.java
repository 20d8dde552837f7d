package io.streamlm.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Merges for {@link SyntheticTokenizer}: first classic BPE training on a small English/code corpus (so
 * common words become single tokens and token counts look like a real tokenizer's), then, when the
 * vocabulary asks for more, concatenations of existing tokens in a fixed order (valid merges, rarely hit).
 * Deterministic: the same size always gives the same merges.
 */
final class SyntheticMerges {
    private static final int MAX_LEARNED = 6000;
    private static final int MAX_FILLER_CHARS = 24;

    private SyntheticMerges() {}

    /** Exactly {@code numMerges} merges as (left, right) byte-level token strings, in rank order. */
    static List<String[]> build(int numMerges, String corpus) {
        List<String[]> merges = new ArrayList<>(numMerges);
        Set<String> tokens = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(ByteLevel.charOf(b)));
        }
        learn(corpus, Math.min(numMerges, MAX_LEARNED), merges, tokens);
        fill(numMerges, merges, tokens);
        return merges;
    }

    /** Standard BPE training: repeatedly merge the most frequent adjacent pair (ties: first seen). */
    private static void learn(String corpus, int limit, List<String[]> merges, Set<String> tokens) {
        Map<String, Integer> wordCounts = new HashMap<>();
        Matcher m = Pattern.compile(SyntheticTokenizer.QWEN_SPLIT_REGEX, Pattern.UNICODE_CHARACTER_CLASS).matcher(corpus);
        while (m.find()) {
            wordCounts.merge(ByteLevel.encode(m.group()), 1, Integer::sum);
        }
        List<List<String>> words = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        wordCounts.keySet().stream().sorted().forEach(w -> {
            List<String> symbols = new ArrayList<>();
            w.chars().forEach(c -> symbols.add(String.valueOf((char) c)));
            words.add(symbols);
            counts.add(wordCounts.get(w));
        });
        while (merges.size() < limit) {
            Map<String, Integer> pairCounts = new HashMap<>();
            String best = null;
            int bestCount = 1; // a pair must occur at least twice to be worth a merge
            for (int w = 0; w < words.size(); w++) {
                List<String> s = words.get(w);
                for (int i = 0; i + 1 < s.size(); i++) {
                    String key = s.get(i) + '\u0000' + s.get(i + 1);
                    int c = pairCounts.merge(key, counts.get(w), Integer::sum);
                    if (c > bestCount || (c == bestCount && best != null && c > 1 && key.compareTo(best) < 0)) {
                        bestCount = c;
                        best = key;
                    }
                }
            }
            if (best == null) {
                return;
            }
            String[] pair = best.split("\u0000", 2);
            String merged = pair[0] + pair[1];
            if (!tokens.add(merged)) {
                return; // cannot happen for distinct pairs of byte strings, but never emit a duplicate token
            }
            merges.add(pair);
            for (List<String> s : words) {
                for (int i = 0; i + 1 < s.size(); i++) {
                    if (s.get(i).equals(pair[0]) && s.get(i + 1).equals(pair[1])) {
                        s.set(i, merged);
                        s.remove(i + 1);
                    }
                }
            }
        }
    }

    /** Fills up with concatenations a + b of existing tokens (a from a growing pool, b from the base). */
    private static void fill(int numMerges, List<String[]> merges, Set<String> tokens) {
        List<String> base = new ArrayList<>();
        for (char c = 'a'; c <= 'z'; c++) {
            base.add(String.valueOf(c));
        }
        for (char c = '0'; c <= '9'; c++) {
            base.add(String.valueOf(c));
        }
        List<String> pool = new ArrayList<>();
        pool.add(String.valueOf(ByteLevel.charOf(' ')));
        base.forEach(pool::add);
        merges.forEach(p -> pool.add(p[0] + p[1]));
        for (int i = 0; merges.size() < numMerges; i++) {
            if (i == pool.size()) {
                throw new IllegalStateException("synthetic vocabulary ran out of candidate merges at " + merges.size());
            }
            String left = pool.get(i);
            for (int j = 0; j < base.size() && merges.size() < numMerges; j++) {
                String merged = left + base.get(j);
                if (merged.length() <= MAX_FILLER_CHARS && tokens.add(merged)) {
                    merges.add(new String[] {left, base.get(j)});
                    pool.add(merged);
                }
            }
        }
    }
}
