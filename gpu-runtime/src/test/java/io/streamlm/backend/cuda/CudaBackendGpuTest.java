package io.streamlm.backend.cuda;

import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The whole CUDA backend on a GPU ({@link BackendChecks}); skipped with the probe's reason elsewhere. */
@Tag("gpu")
class CudaBackendGpuTest {

    @BeforeEach
    void gpu() {
        Assumptions.assumeTrue(CudaProbe.available(), () -> "no GPU: " + CudaProbe.reason().orElse(""));
    }

    @Test
    void conformanceFixturesInF32Mode() throws Exception {
        BackendChecks.conformanceFixturesInF32Mode(BackendChecks.GPU);
    }

    @Test
    void f32ModeMatchesCpuBackend() {
        BackendChecks.f32ModeMatchesCpuBackend(BackendChecks.GPU,
                List.of(TwinForwardTest.smallConfig(), BackendChecks.mediumConfig()));
    }

    @Test
    void bf16FastPathErrorAndGreedyAgreement() {
        BackendChecks.bf16FastPathErrorAndGreedyAgreement(BackendChecks.GPU, BackendChecks.mediumConfig(), 64);
    }

    @Test
    void dummyWeightsAndDeviceSamplingMatchTheTwin() {
        BackendChecks.dummyWeightsAndDeviceSamplingMatchTheTwin(BackendChecks.GPU, BackendChecks.mediumConfig());
    }

    @Test
    void stateSnapshotsOnTheDevice() {
        BackendChecks.stateSnapshotsOnTheDevice(BackendChecks.GPU, BackendChecks.mediumConfig());
    }
}
