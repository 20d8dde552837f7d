package io.streamlm.backend.cuda;

/**
 * The GPU kernel checks run with a second twin in the GPU's seat: proves the checks' shapes, views and
 * metadata are valid (a broken check would otherwise surface only on the scarce GPU run). The kernels
 * themselves are compared on a GPU by {@link CudaKernelsGpuTest}.
 */
class KernelChecksTwinTest extends KernelChecksSuite {
    private final Both both = new Both(new TwinOps());

    @Override
    Both both() {
        return both;
    }
}
