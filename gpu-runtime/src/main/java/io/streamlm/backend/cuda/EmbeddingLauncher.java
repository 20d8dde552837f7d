package io.streamlm.backend.cuda;

/** embedding.cu: embedding gather (bf16 or f32 table) and row gather. */
final class EmbeddingLauncher extends Launcher {
    EmbeddingLauncher(CudaDevice d) {
        super(d, "embedding");
    }

    void gather(Buf out, Buf table, Buf ids, int numTokens, int vocab, int hidden) {
        String k = table.elem() == Buf.Elem.BF16 ? "embedding_gather_bf16" : "embedding_gather_f32";
        launch(k, numTokens, 1, 256, 1, new KernelArgs().buf(out).buf(table).buf(ids).i32(vocab).i32(hidden));
    }

    void gatherRows(Buf out, Buf x, Buf rows, int numRows, int cols) {
        launch("gather_rows_f32", numRows, 1, 256, 1, new KernelArgs().buf(out).buf(x).buf(rows).i32(cols));
    }
}
