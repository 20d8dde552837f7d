package io.streamlm.backend.cpu;

import io.streamlm.backend.CacheLayout;
import io.streamlm.model.ModelConfig;

/**
 * The backend's cache memory: paged KV blocks of the full-attention layers and recurrent-state slots of the
 * Gated DeltaNet layers. Block {@code b} of a layer's pool holds {@code blockSize} token rows of K (and V),
 * each {@code kvDim} floats; a slot holds, per linear layer, the conv state (the last K-1 pre-conv inputs,
 * oldest first) and the delta-rule state of every value head.
 */
final class CacheMemory {
    final int numKvBlocks;
    final int blockSize;
    final int numStateSlots;
    final int kvDim;
    final float[][][] keys;    // [numFullLayers][numKvBlocks][blockSize * kvDim]
    final float[][][] values;  // [numFullLayers][numKvBlocks][blockSize * kvDim]
    final float[][][] conv;    // [numLinearLayers][numStateSlots][(K - 1) * convDim]
    final float[][][] delta;   // [numLinearLayers][numStateSlots][Hv * dk * dv]

    CacheMemory(ModelConfig c, CacheLayout layout) {
        this.numKvBlocks = layout.numKvBlocks();
        this.blockSize = layout.blockSize();
        this.numStateSlots = layout.numStateSlots();
        this.kvDim = c.kvDim();
        int numFull = c.numFullAttentionLayers();
        int numLinear = c.numLinearAttentionLayers();
        this.keys = new float[numFull][numKvBlocks][];
        this.values = new float[numFull][numKvBlocks][];
        for (int l = 0; l < numFull; l++) {
            for (int b = 0; b < numKvBlocks; b++) {
                keys[l][b] = new float[blockSize * kvDim];
                values[l][b] = new float[blockSize * kvDim];
            }
        }
        int convFloats = convStateFloats(c);
        int deltaFloats = deltaStateFloats(c);
        this.conv = new float[numLinear][numStateSlots][];
        this.delta = new float[numLinear][numStateSlots][];
        for (int l = 0; l < numLinear; l++) {
            for (int s = 0; s < numStateSlots; s++) {
                conv[l][s] = new float[convFloats];
                delta[l][s] = new float[deltaFloats];
            }
        }
    }

    static int convStateFloats(ModelConfig c) {
        return (c.linearConvKernelDim() - 1) * c.linearConvDim();
    }

    static int deltaStateFloats(ModelConfig c) {
        return c.linearNumValueHeads() * c.linearKeyHeadDim() * c.linearValueHeadDim();
    }

    static long kvBlockBytes(ModelConfig c, int blockSize) {
        return (long) c.numFullAttentionLayers() * 2L * blockSize * c.kvDim() * Float.BYTES;
    }

    static long stateSlotBytes(ModelConfig c) {
        return (long) c.numLinearAttentionLayers() * ((long) convStateFloats(c) + deltaStateFloats(c)) * Float.BYTES;
    }

    void copyState(int src, int dst) {
        checkSlot(src);
        checkSlot(dst);
        for (int l = 0; l < conv.length; l++) {
            System.arraycopy(conv[l][src], 0, conv[l][dst], 0, conv[l][src].length);
            System.arraycopy(delta[l][src], 0, delta[l][dst], 0, delta[l][src].length);
        }
    }

    /** Copy-on-write of a partially shared prefix block: every attention layer's K and V rows. */
    void copyKvBlock(int src, int dst) {
        checkBlock(src);
        checkBlock(dst);
        for (int l = 0; l < keys.length; l++) {
            System.arraycopy(keys[l][src], 0, keys[l][dst], 0, keys[l][src].length);
            System.arraycopy(values[l][src], 0, values[l][dst], 0, values[l][src].length);
        }
    }

    void resetState(int slot) {
        checkSlot(slot);
        for (int l = 0; l < conv.length; l++) {
            java.util.Arrays.fill(conv[l][slot], 0f);
            java.util.Arrays.fill(delta[l][slot], 0f);
        }
    }

    void checkSlot(int slot) {
        if (slot < 0 || slot >= numStateSlots) {
            throw new IllegalArgumentException("state slot " + slot + " out of range [0, " + numStateSlots + ")");
        }
    }

    void checkBlock(int block) {
        if (block < 0 || block >= numKvBlocks) {
            throw new IllegalArgumentException("KV block " + block + " out of range [0, " + numKvBlocks + ")");
        }
    }
}
