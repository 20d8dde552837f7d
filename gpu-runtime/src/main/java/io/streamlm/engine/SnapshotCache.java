package io.streamlm.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Recurrent-state snapshots of the Gated DeltaNet layers, shared by prefix, under a budget of snapshot
 * slots with LRU eviction.
 *
 * <p>A snapshot at position {@code p} holds the conv + delta-rule state after exactly {@code p} prompt
 * tokens. It is indexed by the chain hash of its full blocks ({@code p / blockSize} of them, the same keys
 * as the {@link PrefixCache}) and stores its whole prefix {@code tokens[0, p)} and tenant, which are
 * re-checked on every hit. When {@code p} falls inside a block, the snapshot also holds a reference on the
 * KV block that contains positions {@code [p - p % blockSize, p)}: the resuming sequence gets a private copy
 * of that block (copy-on-write, {@code Backend.copyKvBlock}) and writes its own rows from {@code p} on.
 * That is why a declared prefix of any length, even shorter than one block, hits from the second request on.
 *
 * <p>Snapshots at a declared shared-prefix boundary outrank those at aligned positions: an aligned snapshot
 * only ever evicts aligned ones (and is skipped when none is left), a declared one evicts aligned ones first.
 * Otherwise, with a budget of a few slots, each request's aligned snapshots inside its own unique suffix would
 * push out the one snapshot every later request needs (seen: 0 hits in a pipeline with one slot).
 */
final class SnapshotCache {

    /** One snapshot; {@code partialBlock} is present iff {@code position % blockSize != 0}. */
    record Snapshot(long key, String tenant, int[] prefixTokens, int slot, OptionalInt partialBlock, boolean declared) {
        int position() {
            return prefixTokens.length;
        }
    }

    private final BlockPool pool;
    private final Map<Long, List<Snapshot>> byKey = new HashMap<>();
    private final LinkedHashSet<Snapshot> aligned = new LinkedHashSet<>();  // least recently used first
    private final LinkedHashSet<Snapshot> declared = new LinkedHashSet<>(); // least recently used first
    private final ArrayDeque<Integer> freeSlots = new ArrayDeque<>();
    private final int numSlots;

    /** @param slots the state-slot ids reserved for snapshots */
    SnapshotCache(BlockPool pool, int[] slots) {
        this.pool = pool;
        this.numSlots = slots.length;
        for (int s : slots) {
            freeSlots.add(s);
        }
    }

    int numSlots() {
        return numSlots;
    }

    int numSnapshots() {
        return aligned.size() + declared.size();
    }

    private LinkedHashSet<Snapshot> lruOf(Snapshot s) {
        return s.declared ? declared : aligned;
    }

    /** Slots taken by stored snapshots or by snapshots being written this step. */
    int numSlotsUsed() {
        return numSlots - freeSlots.size();
    }

    /**
     * The longest snapshot of {@code tokens} at a position in {@code [minPos, maxPos]} whose full blocks
     * are among the first {@code numMatchedBlocks} matched ones; marks it recently used.
     *
     * @param keys {@code keys[j]} = chain hash of the first {@code j} blocks ({@code keys[0]} = the root)
     */
    Optional<Snapshot> find(String tenant, int[] tokens, long[] keys, int numMatchedBlocks, int blockSize, int maxPos) {
        for (int level = Math.min(numMatchedBlocks, maxPos / blockSize); level >= 0; level--) {
            Snapshot best = null;
            for (Snapshot s : byKey.getOrDefault(keys[level], List.of())) {
                int p = s.position();
                if (p / blockSize == level && p <= maxPos && (best == null || p > best.position())
                        && s.tenant.equals(tenant) && Arrays.equals(s.prefixTokens, 0, p, tokens, 0, p)) {
                    best = s;
                }
            }
            if (best != null) {
                lruOf(best).remove(best);
                lruOf(best).add(best);
                return Optional.of(best);
            }
        }
        return Optional.empty();
    }

    /** The stored snapshot of exactly {@code tokens[0, position)}, if any. */
    Optional<Snapshot> exact(String tenant, int[] tokens, long key, int position) {
        for (Snapshot s : byKey.getOrDefault(key, List.of())) {
            if (s.position() == position && s.tenant.equals(tenant)
                    && Arrays.equals(s.prefixTokens, 0, position, tokens, 0, position)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** Moves a stored aligned snapshot up to the declared class (a request declared its position since). */
    void markDeclared(Snapshot s) {
        if (s.declared || !aligned.remove(s)) {
            return;
        }
        Snapshot up = new Snapshot(s.key, s.tenant, s.prefixTokens, s.slot, s.partialBlock, true);
        List<Snapshot> list = byKey.get(s.key);
        list.set(list.indexOf(s), up);
        declared.add(up);
    }

    /**
     * A slot to write a new snapshot into. When none is free, evicts the least recently used aligned snapshot,
     * or for a {@code forDeclared} snapshot the least recently used declared one when no aligned one is left.
     */
    OptionalInt reserveSlot(boolean forDeclared) {
        if (freeSlots.isEmpty() && !evictFirst(aligned) && !(forDeclared && evictFirst(declared))) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(freeSlots.pop());
    }

    /** Returns a reserved slot that was not filled after all. */
    void releaseSlot(int slot) {
        freeSlots.push(slot);
    }

    /** Stores a snapshot whose slot now holds the state; takes a reference on its partial block. */
    void insert(Snapshot s) {
        s.partialBlock.ifPresent(pool::incRef);
        byKey.computeIfAbsent(s.key, k -> new ArrayList<>(2)).add(s);
        lruOf(s).add(s);
    }

    /** Evicts the least recently used snapshot, aligned ones first; false if there is none. */
    boolean evictLru() {
        return evictFirst(aligned) || evictFirst(declared);
    }

    private boolean evictFirst(LinkedHashSet<Snapshot> lru) {
        Iterator<Snapshot> it = lru.iterator();
        if (!it.hasNext()) {
            return false;
        }
        remove(it.next());
        return true;
    }

    /** Evicts the least recently used snapshot that holds a KV block, aligned ones first; false if none does. */
    boolean evictOneHoldingBlock() {
        for (LinkedHashSet<Snapshot> lru : List.of(aligned, declared)) {
            for (Snapshot s : lru) {
                if (s.partialBlock.isPresent()) {
                    remove(s);
                    return true;
                }
            }
        }
        return false;
    }

    private void remove(Snapshot s) {
        lruOf(s).remove(s);
        List<Snapshot> list = byKey.get(s.key);
        list.remove(s);
        if (list.isEmpty()) {
            byKey.remove(s.key);
        }
        s.partialBlock.ifPresent(pool::decRef);
        freeSlots.push(s.slot);
    }

    void clear() {
        while (evictLru()) {
            // drops every snapshot and its block reference
        }
    }
}
