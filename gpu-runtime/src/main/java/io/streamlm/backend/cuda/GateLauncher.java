package io.streamlm.backend.cuda;

/** gate.cu: the sigmoid output gate of full-attention layers. */
final class GateLauncher extends Launcher {
    GateLauncher(CudaDevice d) {
        super(d, "gate");
    }

    void sigmoidMul(Buf o, Buf gate, int ldg, int headStride, int numTokens, int numHeads, int headDim) {
        launch("sigmoid_gate_mul", blocks((long) numTokens * numHeads * headDim, 256), 1, 256, 1, new KernelArgs().buf(o)
                .buf(gate).i32(ldg).i32(headStride).i32(numTokens).i32(numHeads).i32(headDim));
    }
}
