package io.streamlm.engine;

import io.streamlm.engine.SnapshotCache.Snapshot;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;

/**
 * The cache groups of a hybrid model, as the scheduler sees them: paged KV blocks (pool + prefix cache)
 * for the attention layers and state snapshots for the Gated DeltaNet layers. Decides where a request
 * resumes, hands out and takes back blocks, registers filled blocks and plans snapshot positions.
 *
 * <p>A request resumes at the longest position {@code p < numTokens} for which both the KV of
 * {@code [0, p)} (full cached blocks, plus the snapshot's partial block when {@code p} is mid-block) and
 * a state snapshot at {@code p} exist. {@code p} stays below {@code numTokens} because the last token must
 * be computed to get logits. A model without linear-attention layers needs no snapshot: it resumes at the
 * last matched block boundary.
 *
 * <p>Why a declared prefix of ANY length hits (design choice). The Gated DeltaNet state can only be
 * captured where a step ends, so the scheduler ends a prefill chunk exactly at every snapshot position
 * (aligned ones every {@code snapshotInterval} tokens, and the request's declared {@code sharedPrefixTokens},
 * clamped to {@code numPromptTokens - 1}). A resume at a mid-block position {@code p} needs, besides the
 * shared full blocks, the KV rows {@code [p - p % blockSize, p)} of the partial block, while the resuming
 * request must write its own rows from {@code p} on into that block. Recomputing those rows would need the
 * state at the block start, which we do not have; sharing the block would let two requests write the same
 * rows. So the snapshot keeps a reference to the block that held the partial rows when it was taken (the
 * creator only writes rows {@code >= p} afterwards, never the shared ones), and the resuming request gets
 * a private copy of it ({@code Backend.copyKvBlock}, copy-on-write, one block per resume). Cost: one
 * pinned block per mid-block snapshot and one block copy per hit. Backends that cannot copy blocks fall
 * back to snapshotting the declared prefix at its block-aligned start (at most {@code blockSize - 1} tokens
 * recomputed). Requests that arrive while another request is computing the same declared prefix wait for
 * its snapshot (see {@code Scheduler}), so concurrent arrivals hit too.
 */
final class CacheManager {

    /** Where a request starts computing and what it reuses. */
    record Resume(int position, int[] sharedBlocks, long[] serials, Optional<Snapshot> snapshot) {
        static final Resume NONE = new Resume(0, new int[0], new long[0], Optional.empty());
    }

    final BlockPool pool;
    final PrefixCache prefixCache;
    final SnapshotCache snapshots;
    private final PrefixHasher hasher;
    private final String modelId;
    private final int blockSize;
    private final int snapshotInterval;
    private final boolean prefixCaching;
    private final boolean hybrid;
    private final boolean midBlockSnapshots;

    CacheManager(BlockPool pool, SnapshotCache snapshots, PrefixHasher hasher, String modelId, int blockSize,
                 int snapshotInterval, boolean prefixCaching, boolean hybrid, boolean midBlockSnapshots) {
        this.pool = pool;
        this.prefixCache = new PrefixCache(blockSize, pool);
        this.snapshots = snapshots;
        this.hasher = hasher;
        this.modelId = modelId;
        this.blockSize = blockSize;
        this.snapshotInterval = snapshotInterval;
        this.prefixCaching = prefixCaching;
        this.hybrid = hybrid;
        this.midBlockSnapshots = midBlockSnapshots;
    }

    boolean prefixCaching() {
        return prefixCaching;
    }

    int blockSize() {
        return blockSize;
    }

    /** The longest reusable prefix of the request's tokens (nothing is referenced yet). */
    Resume findResume(Request r) {
        if (!prefixCaching) {
            return Resume.NONE;
        }
        int maxPos = r.numTokens() - 1;
        int numFull = maxPos / blockSize;
        long[] keys = r.keys(hasher, modelId, blockSize, numFull);
        PrefixCache.Match match = prefixCache.match(r.tenant, r.tokenArray(), keys, numFull);
        if (!hybrid) {
            int n = match.numBlocks();
            return n == 0 ? Resume.NONE : new Resume(n * blockSize, match.blocks(), match.serials(), Optional.empty());
        }
        Optional<Snapshot> snap = snapshots.find(r.tenant, r.tokenArray(), keys, match.numBlocks(), blockSize, maxPos);
        if (snap.isEmpty() || snap.get().position() == 0) {
            return Resume.NONE;
        }
        if (isDeclared(r, snap.get().position())) { // resuming at its own declared prefix: keep it declared
            snapshots.markDeclared(snap.get());
        }
        int numShared = snap.get().position() / blockSize;
        return new Resume(snap.get().position(), Arrays.copyOf(match.blocks(), numShared),
                Arrays.copyOf(match.serials(), numShared), snap);
    }

    /**
     * Gives the request its shared blocks (plus a private copy of the snapshot's partial block) and blocks
     * up to {@code numTokensCovered}. On failure nothing is kept and false is returned.
     */
    boolean admit(Request r, Resume resume, int numTokensCovered, List<StepPlan.Copy> kvBlockCopies) {
        for (int i = 0; i < resume.sharedBlocks().length; i++) {
            pool.incRef(resume.sharedBlocks()[i]);
            r.addBlock(resume.sharedBlocks()[i]);
            r.addChainSerial(resume.serials()[i]);
        }
        OptionalInt partial = resume.snapshot().map(Snapshot::partialBlock).orElse(OptionalInt.empty());
        if (partial.isPresent()) {
            pool.incRef(partial.getAsInt()); // keep the source alive while a new block is found
            OptionalInt copy = allocateBlock();
            pool.decRef(partial.getAsInt());
            if (copy.isEmpty()) {
                release(r);
                return false;
            }
            r.addBlock(copy.getAsInt());
            kvBlockCopies.add(new StepPlan.Copy(partial.getAsInt(), copy.getAsInt()));
        }
        if (!ensureBlocks(r, numTokensCovered)) {
            release(r);
            return false;
        }
        return true;
    }

    /** Allocates blocks until positions {@code [0, numTokensCovered)} are covered; false when memory runs out. */
    boolean ensureBlocks(Request r, int numTokensCovered) {
        while (r.numBlocks * blockSize < numTokensCovered) {
            OptionalInt b = allocateBlock();
            if (b.isEmpty()) {
                return false;
            }
            r.addBlock(b.getAsInt());
        }
        return true;
    }

    /** Blocks a sequence of {@code numTokens} tokens needs. */
    int blocksFor(int numTokens) {
        return (numTokens + blockSize - 1) / blockSize;
    }

    /** A free block; snapshots' partial blocks are given up before failing. */
    private OptionalInt allocateBlock() {
        OptionalInt b = pool.allocate();
        while (b.isEmpty() && snapshots.evictOneHoldingBlock()) {
            b = pool.allocate();
        }
        return b;
    }

    /** Drops the request's block references and its place in the hash chain. */
    void release(Request r) {
        for (int i = 0; i < r.numBlocks; i++) {
            pool.decRef(r.block(i));
        }
        r.clearBlocks();
        r.numChainBlocks = 0;
        r.chainBroken = false;
    }

    /** Offers the request's newly filled blocks to the prefix cache. */
    void registerFullBlocks(Request r) {
        if (!prefixCaching || r.chainBroken) {
            return;
        }
        int numFull = Math.min(r.numComputedTokens / blockSize, r.numBlocks);
        if (r.numChainBlocks >= numFull) {
            return;
        }
        long[] keys = r.keys(hasher, modelId, blockSize, numFull);
        for (int level = r.numChainBlocks; level < numFull; level++) {
            var serial = prefixCache.register(r.block(level), keys[level + 1], r.parentSerial(level), r.tenant,
                    r.tokenArray(), level);
            if (serial.isEmpty()) {
                r.chainBroken = true;
                return;
            }
            r.addChainSerial(serial.getAsLong());
        }
    }

    /** Prompt positions after {@code resumePos} where the request snapshots its state (aligned + declared). */
    int[] snapshotPositions(Request r, int resumePos) {
        if (!prefixCaching || !hybrid || snapshots.numSlots() == 0) {
            return new int[0];
        }
        TreeSet<Integer> out = new TreeSet<>();
        for (int q = snapshotInterval; q < r.numPromptTokens; q += snapshotInterval) {
            if (q > resumePos) {
                out.add(q);
            }
        }
        declaredSnapshotPosition(r).ifPresent(d -> {
            if (d > resumePos) {
                out.add(d);
            }
        });
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Where the request snapshots its declared shared prefix, if it declared one. */
    private OptionalInt declaredSnapshotPosition(Request r) {
        if (r.sharedPrefixTokens.isEmpty()) {
            return OptionalInt.empty();
        }
        int d = Math.min(r.sharedPrefixTokens.getAsInt(), r.numPromptTokens - 1);
        if (!midBlockSnapshots) {
            d -= d % blockSize; // without KV block copies only block-aligned snapshots can be resumed
        }
        return OptionalInt.of(d);
    }

    private boolean isDeclared(Request r, int position) {
        OptionalInt d = declaredSnapshotPosition(r);
        return d.isPresent() && d.getAsInt() == position;
    }

    /** A snapshot slot for the request's state at {@code position}, unless one is stored already. */
    OptionalInt reserveSnapshot(Request r, int position) {
        long[] keys = r.keys(hasher, modelId, blockSize, position / blockSize);
        Optional<Snapshot> stored = snapshots.exact(r.tenant, r.tokenArray(), keys[position / blockSize], position);
        if (stored.isPresent()) {
            if (isDeclared(r, position)) {
                snapshots.markDeclared(stored.get());
            }
            return OptionalInt.empty();
        }
        return snapshots.reserveSlot(isDeclared(r, position));
    }

    /** Stores the snapshot written into {@code slot} after the request reached {@code position}. */
    void insertSnapshot(Request r, int position, int slot) {
        long[] keys = r.keys(hasher, modelId, blockSize, position / blockSize);
        OptionalInt partial = position % blockSize == 0 ? OptionalInt.empty() : OptionalInt.of(r.block(position / blockSize));
        snapshots.insert(new Snapshot(keys[position / blockSize], r.tenant,
                Arrays.copyOf(r.tokenArray(), position), slot, partial, isDeclared(r, position)));
    }
}
