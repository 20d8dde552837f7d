package io.streamlm.backend.cuda;

import org.junit.jupiter.api.Test;

/**
 * The kernel checks ({@link KernelChecks}) as JUnit tests, once per pairing of ops: a subclass says which
 * ops sit in the GPU's seat ({@link CudaKernelsGpuTest}: the device; {@link KernelChecksTwinTest}: a twin).
 */
abstract class KernelChecksSuite {

    /** The pair of ops to compare; called once per test, after the subclass's own set-up. */
    abstract Both both();

    @Test
    void embeddingAndNorms() {
        KernelChecks.embeddingAndNorms(both());
    }

    @Test
    void matmulKernels() {
        KernelChecks.matmulKernels(both());
    }

    @Test
    void ropeAttentionAndGate() {
        KernelChecks.ropeAttentionAndGate(both());
    }

    @Test
    void gatedDeltaNet() {
        KernelChecks.gatedDeltaNet(both());
    }

    @Test
    void swigluStateInitAndSampling() {
        KernelChecks.swigluStateInitAndSampling(both());
    }
}
