package io.streamlm.backend.cuda;

import org.junit.jupiter.api.Test;

/**
 * The GPU kernel checks run with a second twin in the GPU's seat: proves the checks' shapes, views and
 * metadata are valid (a broken check would otherwise surface only on the scarce GPU run). The kernels
 * themselves are compared on a GPU by {@link CudaKernelsGpuTest}.
 */
class KernelChecksTwinTest {
    private final Both both = new Both(new TwinOps());

    @Test
    void embeddingAndNorms() {
        KernelChecks.embeddingAndNorms(both);
    }

    @Test
    void matmulKernels() {
        KernelChecks.matmulKernels(both);
    }

    @Test
    void ropeAttentionAndGate() {
        KernelChecks.ropeAttentionAndGate(both);
    }

    @Test
    void gatedDeltaNet() {
        KernelChecks.gatedDeltaNet(both);
    }

    @Test
    void swigluStateInitAndSampling() {
        KernelChecks.swigluStateInitAndSampling(both);
    }
}
