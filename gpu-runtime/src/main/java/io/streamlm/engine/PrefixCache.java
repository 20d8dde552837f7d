package io.streamlm.engine;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Full KV blocks shared by prefix. Each cached block is keyed by the chained hash of its prefix (parent
 * hash, its {@code blockSize} tokens; the chain starts from tenant and model id) and remembers its tokens,
 * its tenant and the serial of its parent entry. A lookup walks the chain block by block and accepts a
 * block only when all three match, so by induction every accepted block holds exactly the KV of the
 * request's own prefix: hash collisions cost a miss, never a wrong output, and tenants never share.
 *
 * <p>Entries live as long as their block is not reused: the {@link BlockPool} keeps unreferenced cached
 * blocks on its LRU free list and calls {@link #evict} when it hands one out again.
 */
final class PrefixCache {

    /** One cached block; {@code serial} is unique per registration, so a re-registered block is new. */
    private record Entry(int block, long key, long serial, OptionalLong parentSerial, String tenant, int[] tokens) {}

    /** The longest cached prefix of a sequence: its blocks and, per level, the chain serial. */
    record Match(int[] blocks, long[] serials) {
        int numBlocks() {
            return blocks.length;
        }
    }

    private final int blockSize;
    private final BlockPool pool;
    private final Map<Long, Entry> byKey = new HashMap<>();
    private final Entry[] byBlock; // [numBlocks]
    private long nextSerial = 1;

    PrefixCache(int blockSize, BlockPool pool) {
        this.blockSize = blockSize;
        this.pool = pool;
        this.byBlock = new Entry[pool.numBlocks()];
        pool.setOnEvict(this::evict);
    }

    int numCachedBlocks() {
        return byKey.size();
    }

    /**
     * Walks the chain of {@code tokens[0 .. maxBlocks * blockSize)}. Does not take references.
     *
     * @param keys chain hashes: {@code keys[j]} is the hash of the first {@code j} blocks ({@code keys[0]}
     *             the tenant/model root), so block {@code n} is keyed by {@code keys[n + 1]}
     */
    Match match(String tenant, int[] tokens, long[] keys, int maxBlocks) {
        int[] blocks = new int[maxBlocks];
        long[] serials = new long[maxBlocks];
        int n = 0;
        OptionalLong parent = OptionalLong.empty();
        while (n < maxBlocks) {
            Entry e = byKey.get(keys[n + 1]);
            if (e == null || !e.tenant.equals(tenant) || !e.parentSerial.equals(parent)
                    || !Arrays.equals(e.tokens, 0, blockSize, tokens, n * blockSize, (n + 1) * blockSize)) {
                break;
            }
            blocks[n] = e.block;
            serials[n] = e.serial;
            parent = OptionalLong.of(e.serial);
            n++;
        }
        return new Match(Arrays.copyOf(blocks, n), Arrays.copyOf(serials, n));
    }

    /**
     * Offers a sequence's just-filled block {@code index} to the cache.
     *
     * @return the chain serial of this level: the new entry's, or that of an existing entry holding the
     *         same prefix; empty when the key is taken by a different prefix (a collision: the chain from
     *         here on is not cached for this sequence)
     */
    OptionalLong register(int block, long key, OptionalLong parentSerial, String tenant, int[] tokens, int index) {
        int from = index * blockSize;
        Entry existing = byKey.get(key);
        if (existing != null) {
            boolean same = existing.tenant.equals(tenant) && existing.parentSerial.equals(parentSerial)
                    && Arrays.equals(existing.tokens, 0, blockSize, tokens, from, from + blockSize);
            return same ? OptionalLong.of(existing.serial) : OptionalLong.empty();
        }
        if (byBlock[block] != null) {
            // already backs another entry (a shared block is never re-registered under a new key)
            return OptionalLong.of(byBlock[block].serial);
        }
        Entry e = new Entry(block, key, nextSerial++, parentSerial, tenant, Arrays.copyOfRange(tokens, from, from + blockSize));
        byKey.put(key, e);
        byBlock[block] = e;
        pool.markCached(block);
        return OptionalLong.of(e.serial);
    }

    /** Drops the entry a block backs (the pool is reusing it). */
    void evict(int block) {
        Entry e = byBlock[block];
        if (e != null) {
            byBlock[block] = null;
            byKey.remove(e.key);
        }
    }

    /** Drops every entry (e.g. after the backend re-allocated its caches). */
    void clear() {
        for (int b = 0; b < byBlock.length; b++) {
            if (byBlock[b] != null) {
                pool.unmarkCached(b);
                evict(b);
            }
        }
    }
}
