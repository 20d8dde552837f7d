package io.streamlm.backend.cuda;

/** swiglu.cu: silu(gate) * up over the fused gate|up projection. */
final class SwigluLauncher extends Launcher {
    SwigluLauncher(CudaDevice d) {
        super(d, "swiglu");
    }

    void run(Buf out, Buf gu, int ldgu, int numTokens, int intermediate) {
        launch("swiglu", blocks((long) numTokens * intermediate, 256), 1, 256, 1,
                new KernelArgs().buf(out).buf(gu).i32(ldgu).i32(numTokens).i32(intermediate));
    }
}
