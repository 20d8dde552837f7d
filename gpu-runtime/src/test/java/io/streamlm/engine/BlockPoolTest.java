package io.streamlm.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class BlockPoolTest {

    @Test
    void allocatesUncachedBeforeCachedAndCachedInLruOrder() {
        BlockPool pool = new BlockPool(5);
        PrefixCache cache = new PrefixCache(2, pool);
        int[] blocks = new int[5];
        for (int i = 0; i < 5; i++) {
            blocks[i] = pool.allocate().getAsInt();
        }
        assertEquals(0, pool.numFree());
        int[] tokens = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        // blocks 0..2 become cached prefix blocks (keys 100, 101, 102), 3 and 4 stay private
        for (int i = 0; i < 3; i++) {
            cache.register(blocks[i], 100 + i, OptionalLong.empty(), "t", tokens, i);
        }
        pool.decRef(blocks[1]); // cached, freed first
        pool.decRef(blocks[3]); // uncached
        pool.decRef(blocks[0]); // cached
        pool.decRef(blocks[2]); // cached, freed last
        pool.decRef(blocks[4]); // uncached
        assertArrayEquals(new int[] {blocks[4], blocks[3], blocks[1], blocks[0], blocks[2]}, pool.freeOrder());

        // a hit on block 1 takes it off the free list; released again it becomes the most recently used
        pool.incRef(blocks[1]);
        pool.decRef(blocks[1]);
        assertArrayEquals(new int[] {blocks[4], blocks[3], blocks[0], blocks[2], blocks[1]}, pool.freeOrder());

        assertEquals(blocks[4], pool.allocate().getAsInt());
        assertEquals(blocks[3], pool.allocate().getAsInt());
        assertEquals(3, cache.numCachedBlocks());
        assertEquals(blocks[0], pool.allocate().getAsInt()); // evicts the LRU cached block
        assertEquals(2, cache.numCachedBlocks());
        assertEquals(blocks[2], pool.allocate().getAsInt());
        assertEquals(blocks[1], pool.allocate().getAsInt());
        assertEquals(0, cache.numCachedBlocks());
        assertTrue(pool.allocate().isEmpty());
    }

    @Test
    void refCountsAndDoubleFree() {
        BlockPool pool = new BlockPool(2);
        int b = pool.allocate().getAsInt();
        pool.incRef(b);
        pool.decRef(b);
        assertEquals(1, pool.numFree());
        pool.decRef(b);
        assertEquals(2, pool.numFree());
        assertThrows(IllegalStateException.class, () -> pool.decRef(b));
    }

    @Test
    void prefixMatchRechecksTokensParentAndTenant() {
        BlockPool pool = new BlockPool(8);
        PrefixCache cache = new PrefixCache(2, pool);
        int[] a = {1, 2, 3, 4};
        int b0 = pool.allocate().getAsInt();
        int b1 = pool.allocate().getAsInt();
        long s0 = cache.register(b0, 7, OptionalLong.empty(), "t", a, 0).getAsLong();
        cache.register(b1, 8, OptionalLong.of(s0), "t", a, 1);
        long[] keys = {0, 7, 8};
        assertEquals(2, cache.match("t", a, keys, 2).numBlocks());
        assertEquals(0, cache.match("other", a, keys, 2).numBlocks());
        assertEquals(1, cache.match("t", new int[] {1, 2, 3, 9}, keys, 2).numBlocks());
        assertEquals(0, cache.match("t", new int[] {5, 2, 3, 4}, keys, 2).numBlocks());
        // same key, different tokens: a collision is refused, never served
        int b2 = pool.allocate().getAsInt();
        assertTrue(cache.register(b2, 7, OptionalLong.empty(), "t", new int[] {9, 9}, 0).isEmpty());
    }
}
