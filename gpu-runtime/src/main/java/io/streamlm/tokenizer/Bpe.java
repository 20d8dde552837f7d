package io.streamlm.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE over token ids: a pre-tokenized word becomes one symbol per UTF-8 byte, then the lowest
 * ranked adjacent pair is merged until none is left, leftmost first among equal ranks (the order of the HF
 * library's merge queue). Words are cached since text repeats them heavily.
 */
final class Bpe {
    private static final int MAX_CACHED_WORD_CHARS = 64;
    private static final int MAX_CACHE_ENTRIES = 200_000;

    /** byteTokenIds[b] = id of the single-byte token for byte b; [256]. */
    private final int[] byteTokenIds;
    /** (leftId << 32 | rightId) -> (rank << 32 | mergedId). */
    private final LongLongMap merges;
    /** Vocabulary, only consulted when ignoreMerges is set. */
    private final Map<String, Integer> vocab;
    private final boolean ignoreMerges;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    Bpe(int[] byteTokenIds, LongLongMap merges, Map<String, Integer> vocab, boolean ignoreMerges) {
        this.byteTokenIds = byteTokenIds.clone();
        this.merges = merges;
        this.vocab = vocab;
        this.ignoreMerges = ignoreMerges;
    }

    static long pairKey(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    /** Appends the ids of one pre-tokenized word (raw text) to {@code out}. */
    void encodeWord(String word, IntList out) {
        int[] cached = word.length() <= MAX_CACHED_WORD_CHARS ? cache.get(word) : null;
        if (cached == null) {
            cached = merge(word);
            if (word.length() <= MAX_CACHED_WORD_CHARS) {
                if (cache.size() >= MAX_CACHE_ENTRIES) {
                    cache.clear(); // crude bound; refills from the text at hand
                }
                cache.put(word, cached);
            }
        }
        out.addAll(cached);
    }

    private int[] merge(String word) {
        if (ignoreMerges) {
            Integer whole = vocab.get(ByteLevel.encode(word));
            if (whole != null) {
                return new int[] {whole};
            }
        }
        byte[] utf8 = word.getBytes(StandardCharsets.UTF_8);
        int n = utf8.length;
        int[] ids = new int[n];    // [n] symbol id at each original position
        int[] next = new int[n];   // [n] next live position, -1 at the end
        int[] prev = new int[n];   // [n] previous live position, -1 at the start
        boolean[] dead = new boolean[n];
        for (int i = 0; i < n; i++) {
            ids[i] = byteTokenIds[utf8[i] & 0xFF];
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        LongHeap heap = new LongHeap(Math.max(4, n));
        for (int i = 0; i + 1 < n; i++) {
            push(heap, ids[i], ids[i + 1], i);
        }
        int live = n;
        while (!heap.isEmpty()) {
            long top = heap.pop();      // (rank << 32 | pos): lowest rank, then leftmost
            int pos = (int) top;
            int rank = (int) (top >>> 32);
            if (dead[pos] || next[pos] < 0) {
                continue;
            }
            int right = next[pos];
            long merged = merges.get(pairKey(ids[pos], ids[right]));
            if (merged == LongLongMap.MISSING || (int) (merged >>> 32) != rank) {
                continue; // stale: one side was merged since this pair was queued
            }
            ids[pos] = (int) merged;
            dead[right] = true;
            next[pos] = next[right];
            if (next[pos] >= 0) {
                prev[next[pos]] = pos;
            }
            live--;
            if (prev[pos] >= 0) {
                push(heap, ids[prev[pos]], ids[pos], prev[pos]);
            }
            if (next[pos] >= 0) {
                push(heap, ids[pos], ids[next[pos]], pos);
            }
        }
        int[] result = new int[live];
        int k = 0;
        for (int i = 0; i >= 0 && i < n; i = next[i]) {
            result[k++] = ids[i];
        }
        return result;
    }

    private void push(LongHeap heap, int left, int right, int pos) {
        long merged = merges.get(pairKey(left, right));
        if (merged != LongLongMap.MISSING) {
            heap.push((merged & 0xFFFFFFFF00000000L) | pos);
        }
    }

    /** Open-addressing long -> long map; keys are never -1 (ids are non-negative). */
    static final class LongLongMap {
        static final long MISSING = Long.MIN_VALUE;
        private static final long EMPTY = -1L;
        private long[] keys;   // [capacity]
        private long[] values; // [capacity]
        private int size;

        LongLongMap(int expected) {
            int capacity = Integer.highestOneBit(Math.max(16, expected * 2)) << 1;
            keys = new long[capacity];
            values = new long[capacity];
            Arrays.fill(keys, EMPTY);
        }

        /** Puts if absent; returns false when the key was already there. */
        boolean putIfAbsent(long key, long value) {
            if (size * 2 >= keys.length) {
                grow();
            }
            int mask = keys.length - 1;
            for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
                if (keys[i] == EMPTY) {
                    keys[i] = key;
                    values[i] = value;
                    size++;
                    return true;
                }
                if (keys[i] == key) {
                    return false;
                }
            }
        }

        long get(long key) {
            int mask = keys.length - 1;
            for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
                if (keys[i] == key) {
                    return values[i];
                }
                if (keys[i] == EMPTY) {
                    return MISSING;
                }
            }
        }

        private void grow() {
            long[] oldKeys = keys;
            long[] oldValues = values;
            keys = new long[oldKeys.length * 2];
            values = new long[oldKeys.length * 2];
            Arrays.fill(keys, EMPTY);
            size = 0;
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldKeys[i] != EMPTY) {
                    putIfAbsent(oldKeys[i], oldValues[i]);
                }
            }
        }

        private static int mix(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 29));
        }
    }

    /** Binary min-heap of longs. */
    static final class LongHeap {
        private long[] items;
        private int size;

        LongHeap(int capacity) {
            items = new long[capacity];
        }

        boolean isEmpty() {
            return size == 0;
        }

        void push(long v) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (items[parent] <= v) {
                    break;
                }
                items[i] = items[parent];
                i = parent;
            }
            items[i] = v;
        }

        long pop() {
            long top = items[0];
            long last = items[--size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && items[child + 1] < items[child]) {
                    child++;
                }
                if (items[child] >= last) {
                    break;
                }
                items[i] = items[child];
                i = child;
            }
            items[i] = last;
            return top;
        }
    }

}
