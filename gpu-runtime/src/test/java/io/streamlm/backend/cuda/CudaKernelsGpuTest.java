package io.streamlm.backend.cuda;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

/** Every kernel on the GPU against its CPU twin ({@link KernelChecks}); skipped with the probe's reason elsewhere. */
@Tag("gpu")
class CudaKernelsGpuTest extends KernelChecksSuite {
    private static Both both;

    @BeforeEach
    void gpu() {
        Assumptions.assumeTrue(CudaProbe.available(), () -> "no GPU: " + CudaProbe.reason().orElse(""));
        if (both == null) {
            both = new Both();
            System.out.println("gpu: " + both.gpuName);
        }
    }

    @AfterAll
    static void close() {
        if (both != null) {
            both.close();
        }
    }

    @Override
    Both both() {
        return both;
    }
}
