package io.streamlm.backend.cuda;

/** attention.cu: paged KV write, decode attention and tiled prefill attention. */
final class AttentionLauncher extends Launcher {
    AttentionLauncher(CudaDevice d) {
        super(d, "attention");
    }

    static void checkHeadDim(int headDim) {
        if (headDim > 256) {
            throw new CudaException("attention.cu supports head_dim <= 256, the model has " + headDim);
        }
    }

    void write(Buf kCache, Buf vCache, Buf k, Buf v, int ldy, StepMeta m, int blockSize, int numKvHeads, int headDim) {
        launch("kv_cache_write", m.numTokens, 1, 256, 1, new KernelArgs().buf(kCache).buf(vCache).buf(k).buf(v).i32(ldy)
                .buf(m.tokPos).buf(m.tokChunk).buf(m.btOff).buf(m.blockTables).i32(blockSize).i32(numKvHeads).i32(headDim));
    }

    void decode(Buf o, Buf q, Buf kCache, Buf vCache, StepMeta m, int blockSize, int numHeads, int numKvHeads,
                int headDim, float scale) {
        checkHeadDim(headDim);
        launch("paged_attention_decode", m.numTokens, numHeads, 128, 1, new KernelArgs().buf(o).buf(q).buf(kCache)
                .buf(vCache).buf(m.tokPos).buf(m.tokChunk).buf(m.btOff).buf(m.blockTables).i32(blockSize).i32(numHeads)
                .i32(numKvHeads).i32(headDim).f32(scale));
    }

    void prefill(Buf o, Buf q, Buf kCache, Buf vCache, StepMeta m, int blockSize, int numHeads, int numKvHeads,
                 int headDim, float scale) {
        checkHeadDim(headDim);
        launch("paged_attention_prefill", m.numTiles, numHeads, 256, 1, new KernelArgs().buf(o).buf(q).buf(kCache)
                .buf(vCache).buf(m.tokPos).buf(m.tokChunk).buf(m.btOff).buf(m.blockTables).buf(m.tileTok0).buf(m.tileLen)
                .i32(blockSize).i32(numHeads).i32(numKvHeads).i32(headDim).f32(scale));
    }
}
