package io.streamlm.backend;

/**
 * How much cache memory a backend allocates: paged KV blocks for the full-attention layers and
 * recurrent-state slots (conv + delta-rule state of every Gated DeltaNet layer) for sequences and
 * prefix snapshots alike.
 *
 * @param numKvBlocks    KV blocks in the pool
 * @param blockSize      tokens per KV block
 * @param numStateSlots  recurrent-state slots in the pool
 */
public record CacheLayout(int numKvBlocks, int blockSize, int numStateSlots) {
    public CacheLayout {
        if (numKvBlocks < 1 || blockSize < 1 || numStateSlots < 1) {
            throw new IllegalArgumentException("cache layout needs >= 1 block, block size and slot: " + this);
        }
    }
}
