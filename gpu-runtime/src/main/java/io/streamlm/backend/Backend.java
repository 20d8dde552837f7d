package io.streamlm.backend;

import io.streamlm.model.ModelConfig;
import java.util.List;

/**
 * Runs the model: one batched forward per engine step over every scheduled token of every sequence, so
 * each weight is read once per step. The backend owns the weights and the cache memory (paged KV blocks,
 * recurrent-state slots); the engine owns the bookkeeping and addresses that memory by block id and slot
 * id only. The CPU backend is the reference every other backend is tested against.
 *
 * <p>Not thread-safe: one engine thread drives a backend.
 */
public interface Backend extends AutoCloseable {

    ModelConfig config();

    /** Short name for logs and benchmark JSON ("cpu", "cuda"). */
    String name();

    /** Allocates (or re-allocates, dropping all contents) the KV pool and the state slots. */
    void allocateCaches(CacheLayout layout);

    /** Bytes of cache memory one KV block takes (all attention layers, K and V). */
    long kvBlockBytes(int blockSize);

    /** Bytes of cache memory one recurrent-state slot takes (all Gated DeltaNet layers). */
    long stateSlotBytes();

    /**
     * Computes one step. Writes the KV of every chunk's tokens into its blocks and advances every chunk's
     * state slot by its tokens. Returns one logits row (length vocab) per chunk with {@code needLogits},
     * in chunk order.
     */
    float[][] forward(List<SeqChunk> chunks);

    /** Copies the recurrent state (conv + delta-rule, all layers) of one slot into another. */
    void copyState(int srcSlot, int dstSlot);

    /** Zeroes a slot: the state before position 0. */
    void resetState(int slot);

    /**
     * Whether {@link #copyKvBlock} works. The engine uses it for copy-on-write of a prefix's last,
     * partially filled KV block, which lets a state snapshot at any position (not only at a block
     * boundary) be resumed; without it, mid-block snapshots are not taken.
     */
    default boolean canCopyKvBlocks() {
        return false;
    }

    /** Copies all rows of one KV block (K and V, every attention layer) into another block. */
    default void copyKvBlock(int srcBlock, int dstBlock) {
        throw new UnsupportedOperationException("backend " + name() + " cannot copy KV blocks");
    }

    @Override
    void close();
}
