package io.streamlm.backend.cuda;

/** rmsnorm.cu: zero-centred RMSNorm and gated RMSNorm. */
final class RmsNormLauncher extends Launcher {
    RmsNormLauncher(CudaDevice d) {
        super(d, "rmsnorm");
    }

    void zeroCentred(Buf out, int ldo, Buf x, int ldx, Buf w, int rows, int cols, float eps) {
        launch("rmsnorm_zc", rows, 1, 256, 1, new KernelArgs().buf(out).i32(ldo).buf(x).i32(ldx).buf(w).i32(cols).f32(eps));
    }

    void gated(Buf out, Buf x, Buf z, int ldz, Buf w, int numTokens, int numHeads, int headDim, float eps) {
        launch("rmsnorm_gated", numTokens * numHeads, 1, 128, 1,
                new KernelArgs().buf(out).buf(x).buf(z).i32(ldz).buf(w).i32(numHeads).i32(headDim).f32(eps));
    }
}
