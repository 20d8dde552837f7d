package io.streamlm.backend.cuda;

import io.streamlm.backend.SeqChunk;
import java.util.List;

/**
 * The integer metadata of one batched forward step, flattened into one int32 array that is uploaded with a
 * single copy; the {@code Buf} fields are views into that upload. Tokens of all chunks are laid out in chunk
 * order; a query tile (prefill attention) is up to {@link #TILE} consecutive tokens of one chunk.
 */
final class StepMeta {
    static final int TILE = 8;

    final int numTokens;
    final int numChunks;
    final int numTiles;
    final int numLogitRows;
    final int maxChunkLen;
    final int[] packed;          // [ids | tokPos | tokChunk | chunkTok0 | chunkLen | chunkSlot | btOff | logitRows | tileTok0 | tileLen | blockTables]
    private final int[] offsets; // start of each section in packed
    Buf ids, tokPos, tokChunk, chunkTok0, chunkLen, chunkSlot, btOff, logitRows, tileTok0, tileLen, blockTables;

    private StepMeta(int numTokens, int numChunks, int numTiles, int numLogitRows, int maxChunkLen, int[] packed,
                     int[] offsets) {
        this.numTokens = numTokens;
        this.numChunks = numChunks;
        this.numTiles = numTiles;
        this.numLogitRows = numLogitRows;
        this.maxChunkLen = maxChunkLen;
        this.packed = packed;
        this.offsets = offsets;
    }

    /** Lays out the step; validates what the kernels would otherwise read out of bounds. */
    static StepMeta plan(List<SeqChunk> chunks, int blockSize, int numKvBlocks, int numStateSlots) {
        int numTokens = 0, numTiles = 0, numLogit = 0, numBt = 0, maxLen = 0;
        for (SeqChunk c : chunks) {
            numTokens += c.numTokens();
            numTiles += (c.numTokens() + TILE - 1) / TILE;
            numLogit += c.needLogits() ? 1 : 0;
            numBt += c.blockTable().length;
            maxLen = Math.max(maxLen, c.numTokens());
        }
        int n = chunks.size();
        int[] sizes = {numTokens, numTokens, numTokens, n, n, n, n, numLogit, numTiles, numTiles, numBt};
        int[] off = new int[sizes.length + 1];
        for (int i = 0; i < sizes.length; i++) {
            off[i + 1] = off[i] + sizes[i];
        }
        int[] p = new int[off[sizes.length]];
        int t = 0, tile = 0, logit = 0, bt = 0;
        for (int ci = 0; ci < n; ci++) {
            SeqChunk c = chunks.get(ci);
            int lastPos = c.startPos() + c.numTokens() - 1;
            if ((long) lastPos / blockSize >= c.blockTable().length) {
                throw new IllegalArgumentException("chunk " + ci + ": block table of " + c.blockTable().length
                        + " blocks does not cover position " + lastPos + " at block size " + blockSize);
            }
            if (c.stateSlot() < 0 || c.stateSlot() >= numStateSlots) {
                throw new IllegalArgumentException("chunk " + ci + ": state slot " + c.stateSlot() + " outside [0, "
                        + numStateSlots + ")");
            }
            p[off[3] + ci] = t;
            p[off[4] + ci] = c.numTokens();
            p[off[5] + ci] = c.stateSlot();
            p[off[6] + ci] = bt;
            for (int b : c.blockTable()) {
                if (b < 0 || b >= numKvBlocks) {
                    throw new IllegalArgumentException("chunk " + ci + ": KV block " + b + " outside [0, " + numKvBlocks + ")");
                }
                p[off[10] + bt++] = b;
            }
            for (int j = 0; j < c.numTokens(); j += TILE) {
                p[off[8] + tile] = t + j;
                p[off[9] + tile] = Math.min(TILE, c.numTokens() - j);
                tile++;
            }
            for (int j = 0; j < c.numTokens(); j++) {
                p[off[0] + t] = c.tokens()[j];
                p[off[1] + t] = c.startPos() + j;
                p[off[2] + t] = ci;
                t++;
            }
            if (c.needLogits()) {
                p[off[7] + logit++] = t - 1;
            }
        }
        return new StepMeta(numTokens, n, numTiles, numLogit, maxLen, p, off);
    }

    /** Points the views into {@code upload}, a device copy of {@link #packed}. */
    void bind(Buf upload) {
        Buf[] v = new Buf[offsets.length - 1];
        for (int i = 0; i < v.length; i++) {
            v[i] = new Buf(upload.base(), upload.elem(), upload.offset() + offsets[i], offsets[i + 1] - offsets[i]);
        }
        ids = v[0];
        tokPos = v[1];
        tokChunk = v[2];
        chunkTok0 = v[3];
        chunkLen = v[4];
        chunkSlot = v[5];
        btOff = v[6];
        logitRows = v[7];
        tileTok0 = v[8];
        tileLen = v[9];
        blockTables = v[10];
    }

    /** Host value of the section {@code section} (0 = ids ... 10 = blockTables), element {@code i}. */
    int host(int section, int i) {
        return packed[offsets[section] + i];
    }
}
