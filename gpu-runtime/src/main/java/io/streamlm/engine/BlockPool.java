package io.streamlm.engine;

import java.util.OptionalInt;
import java.util.function.IntConsumer;

/**
 * The KV block pool's bookkeeping: reference counts and one free list of every unreferenced block, in
 * O(1) per operation (an intrusive doubly linked list over int arrays, no allocation).
 *
 * <p>The free list is ordered for eviction: blocks that hold no cached prefix sit at the head and are
 * taken first; a block that held a cached prefix is appended at the tail when its last reference goes,
 * so the head of the cached part is always the least recently used cached block. Taking a cached block
 * from the free list evicts its prefix-cache entry through {@code onEvict} before it is reused.
 *
 * <p>Not thread-safe: owned by the scheduler on the engine thread.
 */
final class BlockPool {
    private static final int NONE = -1;

    private final int numBlocks;
    private final int[] refCounts; // [numBlocks]
    private final int[] prev;      // [numBlocks] free-list links, NONE at the ends / when not free
    private final int[] next;      // [numBlocks]
    private final boolean[] free;  // [numBlocks] whether the block is on the free list
    private final boolean[] cached; // [numBlocks] whether the block backs a prefix-cache entry
    private int head = NONE;
    private int tail = NONE;
    private int numFree;
    private IntConsumer onEvict = b -> { };

    BlockPool(int numBlocks) {
        if (numBlocks < 1) {
            throw new IllegalArgumentException("a block pool needs at least 1 block, got " + numBlocks);
        }
        this.numBlocks = numBlocks;
        this.refCounts = new int[numBlocks];
        this.prev = new int[numBlocks];
        this.next = new int[numBlocks];
        this.free = new boolean[numBlocks];
        this.cached = new boolean[numBlocks];
        for (int b = 0; b < numBlocks; b++) {
            append(b);
        }
    }

    /** Called with a block id when a cached block is taken for reuse, so its cache entry can be dropped. */
    void setOnEvict(IntConsumer onEvict) {
        this.onEvict = onEvict;
    }

    int numBlocks() {
        return numBlocks;
    }

    /** Unreferenced blocks, cached or not: all of them can be handed out. */
    int numFree() {
        return numFree;
    }

    /** Blocks referenced by a sequence or a snapshot. */
    int numUsed() {
        return numBlocks - numFree;
    }

    int refCount(int block) {
        return refCounts[block];
    }

    boolean isCached(int block) {
        return cached[block];
    }

    /** Takes the least valuable free block (uncached first, then least recently used), with one reference. */
    OptionalInt allocate() {
        if (head == NONE) {
            return OptionalInt.empty();
        }
        int b = head;
        unlink(b);
        if (cached[b]) {
            cached[b] = false;
            onEvict.accept(b);
        }
        refCounts[b] = 1;
        return OptionalInt.of(b);
    }

    /** Adds a reference; a free (cached) block is taken off the free list without losing its contents. */
    void incRef(int block) {
        if (refCounts[block]++ == 0) {
            unlink(block);
        }
    }

    /** Drops a reference; at zero the block becomes free (at the tail if cached, else at the head). */
    void decRef(int block) {
        if (refCounts[block] <= 0) {
            throw new IllegalStateException("block " + block + " released more often than referenced");
        }
        if (--refCounts[block] == 0) {
            if (cached[block]) {
                append(block);
            } else {
                prepend(block);
            }
        }
    }

    /** Marks a block as backing a prefix-cache entry (its contents are worth keeping once unreferenced). */
    void markCached(int block) {
        cached[block] = true;
    }

    /** Forgets that a block backs a cache entry; a free one moves to the head (reused first). */
    void unmarkCached(int block) {
        if (cached[block]) {
            cached[block] = false;
            if (free[block]) {
                unlink(block);
                prepend(block);
            }
        }
    }

    /** Free block ids from next-to-be-reused to last; for tests of the eviction order. */
    int[] freeOrder() {
        int[] out = new int[numFree];
        int i = 0;
        for (int b = head; b != NONE; b = next[b]) {
            out[i++] = b;
        }
        return out;
    }

    private void append(int b) {
        prev[b] = tail;
        next[b] = NONE;
        if (tail == NONE) {
            head = b;
        } else {
            next[tail] = b;
        }
        tail = b;
        free[b] = true;
        numFree++;
    }

    private void prepend(int b) {
        next[b] = head;
        prev[b] = NONE;
        if (head == NONE) {
            tail = b;
        } else {
            prev[head] = b;
        }
        head = b;
        free[b] = true;
        numFree++;
    }

    private void unlink(int b) {
        if (!free[b]) {
            throw new IllegalStateException("block " + b + " is not on the free list");
        }
        if (prev[b] == NONE) {
            head = next[b];
        } else {
            next[prev[b]] = next[b];
        }
        if (next[b] == NONE) {
            tail = prev[b];
        } else {
            prev[next[b]] = prev[b];
        }
        prev[b] = NONE;
        next[b] = NONE;
        free[b] = false;
        numFree--;
    }
}
