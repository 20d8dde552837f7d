package io.streamlm.backend.cuda;

/** conv1d.cu: causal depthwise conv1d with state (prefill and decode update in one kernel). */
final class Conv1dLauncher extends Launcher {
    static final int MAX_K = 8;

    Conv1dLauncher(CudaDevice d) {
        super(d, "conv1d");
    }

    void run(Buf out, Buf x, int ldx, Buf w, Buf state, long slotStride, StepMeta m, int convDim, int k) {
        if (k < 1 || k > MAX_K) {
            throw new CudaException("conv1d.cu supports kernel sizes 1.." + MAX_K + ", the model has " + k);
        }
        launch("causal_conv1d", blocks(convDim, 128), m.numChunks, 128, 1, new KernelArgs().buf(out).buf(x).i32(ldx)
                .buf(w).buf(state).i64(slotStride).buf(m.chunkTok0).buf(m.chunkLen).buf(m.chunkSlot).i32(convDim).i32(k));
    }
}
