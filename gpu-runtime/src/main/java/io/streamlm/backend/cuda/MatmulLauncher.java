package io.streamlm.backend.cuda;

/**
 * matmul.cu: picks the kernel. Rows {@code m <= 8} with bf16 weights: the bandwidth-bound GEMV (exact f32
 * products, any precision); f32 mode or f32 weights: the SIMT f32 kernel; otherwise the tensor-core kernel.
 */
final class MatmulLauncher extends Launcher {
    static final int GEMV_MAX_M = 8;

    MatmulLauncher(CudaDevice d) {
        super(d, "matmul");
    }

    /** Which kernel {@link #run} uses; shared with the twin so both sides agree on the rounding. */
    static String kernelFor(Buf w, int m, int k, Precision precision) {
        boolean bf16 = w.elem() == Buf.Elem.BF16;
        if (bf16 && m <= GEMV_MAX_M && k % 8 == 0) {
            return "matmul_gemv_bf16";
        }
        if (!bf16) {
            return "matmul_simt_f32w";
        }
        return precision == Precision.F32 ? "matmul_simt_f32" : "matmul_mma_bf16";
    }

    /**
     * K splits for the tensor-core kernel when its grid would leave SMs idle (decode batches of 9..256 rows
     * on narrow matrices): enough blocks for two waves, each split at least 256 columns of K. Needs a dense
     * output (ldy == n) because the zeroing before the atomic adds is one memset.
     */
    static int splitK(String kernel, int m, int n, int k, int ldy, int numSms) {
        if (!kernel.equals("matmul_mma_bf16") || ldy != n) {
            return 1;
        }
        long blocks = (long) blocks(n, 64) * blocks(m, 64);
        long want = (2L * numSms + blocks - 1) / blocks;
        return (int) Math.max(1, Math.min(want, Math.min(16, k / 256)));
    }

    void run(Buf y, int ldy, Buf x, int ldx, Buf w, int m, int n, int k, boolean accumulate, Precision precision,
             int splits) {
        if (w.length() < (long) n * k) {
            throw new IllegalArgumentException("weight of " + w.length() + " elements used as [" + n + ", " + k + "]");
        }
        String kernel = kernelFor(w, m, k, precision);
        KernelArgs a = new KernelArgs().buf(y).i32(ldy).buf(x).i32(ldx).buf(w).i32(m).i32(n).i32(k).i32(accumulate ? 1 : 0);
        switch (kernel) {
            case "matmul_gemv_bf16" -> launch(kernel, blocks(n, 16), 1, 256, 1, a);
            case "matmul_mma_bf16" -> launch(kernel, blocks(n, 64), blocks(m, 64), splits, 128, 1, a);
            default -> launch(kernel, blocks(n, 64), blocks(m, 64), 16, 16, a);
        }
    }
}
