package io.streamlm.backend.cuda;

/** rope.cu: QK-norm and partial RoPE of full-attention layers. */
final class RopeLauncher extends Launcher {
    RopeLauncher(CudaDevice d) {
        super(d, "rope");
    }

    void qkNormRope(Buf qOut, Buf y, int ldy, int kOff, Buf positions, Buf invFreq, Buf qNorm, Buf kNorm,
                    int numTokens, int numHeads, int numKvHeads, int headDim, int rotaryDim, float eps) {
        if (headDim > 256) {
            throw new CudaException("rope.cu supports head_dim <= 256, the model has " + headDim);
        }
        launch("qk_norm_rope", numTokens, numHeads + numKvHeads, 128, 1, new KernelArgs().buf(qOut).buf(y).i32(ldy)
                .i32(kOff).buf(positions).buf(invFreq).buf(qNorm).buf(kNorm).i32(numHeads).i32(headDim).i32(rotaryDim)
                .f32(eps));
    }
}
