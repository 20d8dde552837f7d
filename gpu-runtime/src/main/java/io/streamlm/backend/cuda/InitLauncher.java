package io.streamlm.backend.cuda;

/** init.cu: hash-based dummy weights written on the device (--load-format dummy). */
final class InitLauncher extends Launcher {
    InitLauncher(CudaDevice d) {
        super(d, "init");
    }

    void fill(Buf w, long n, long seed, float scale, float offset) {
        String k = w.elem() == Buf.Elem.BF16 ? "init_hash_bf16" : "init_hash_f32";
        int grid = (int) Math.min(blocks(n, 256), 65535L * 8);
        launch(k, grid, 1, 256, 1, new KernelArgs().buf(w).i64(n).i64(seed).f32(scale).f32(offset));
    }
}
